package messaging

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"slices"
	"testing"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/ThreeDotsLabs/watermill/message"
)

func TestNextBatch(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		queued   []int
		closed   bool
		max      int
		want     []int
		wantLeft int
	}{
		{name: "takes what is waiting", queued: []int{1, 2, 3}, max: 10, want: []int{1, 2, 3}},
		{name: "stops at max", queued: []int{1, 2, 3, 4, 5}, max: 2, want: []int{1, 2}, wantLeft: 3},
		{name: "one item", queued: []int{7}, max: 1, want: []int{7}},
		{name: "closed after items", queued: []int{1, 2}, closed: true, max: 10, want: []int{1, 2}},
		{name: "closed and drained", closed: true, max: 10, want: nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ch := make(chan int, len(tt.queued))
			for _, v := range tt.queued {
				ch <- v
			}
			if tt.closed {
				close(ch)
			}
			got := nextBatch(ch, nil, tt.max)
			if !slices.Equal(got, tt.want) {
				t.Fatalf("batch = %v, want %v", got, tt.want)
			}
			if len(ch) != tt.wantLeft {
				t.Fatalf("%d left in the channel, want %d", len(ch), tt.wantLeft)
			}
		})
	}
}

// TestNextBatchReusesBatch: the batch passed in is appended to, so a loop
// can reuse its backing array.
func TestNextBatchReusesBatch(t *testing.T) {
	t.Parallel()
	ch := make(chan int, 2)
	ch <- 1
	ch <- 2
	buf := make([]int, 0, 4)
	got := nextBatch(ch, buf, 4)
	if !slices.Equal(got, []int{1, 2}) || &got[:1][0] != &buf[:1][0] {
		t.Fatalf("batch = %v, not built on the slice passed in", got)
	}
}

func TestConsumeBatches(t *testing.T) {
	t.Parallel()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	tests := []struct {
		name      string
		msgs      int
		err       error
		wantAcked bool
	}{
		{name: "handled: acked", msgs: 3, wantAcked: true},
		{name: "failed: nacked to come back", msgs: 3, err: errors.New("database away")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ch := make(chan *message.Message, tt.msgs)
			var sent []*message.Message
			for range tt.msgs {
				m := message.NewMessage(watermill.NewUUID(), nil)
				sent = append(sent, m)
				ch <- m
			}
			close(ch)
			// A cancelled ctx skips the pause after a failure (shutdown).
			ctx, cancel := context.WithCancel(context.Background())
			cancel()
			var got int
			consumeBatches(ctx, ch, log, "test", func(batch []*message.Message) error {
				got += len(batch)
				return tt.err
			})
			if got != tt.msgs {
				t.Fatalf("handled %d messages, want %d", got, tt.msgs)
			}
			for i, m := range sent {
				acked, nacked := isClosed(m.Acked()), isClosed(m.Nacked())
				if acked != tt.wantAcked || nacked == tt.wantAcked {
					t.Fatalf("message %d: acked %v nacked %v, want acked %v", i, acked, nacked, tt.wantAcked)
				}
			}
		})
	}
}

func isClosed(ch <-chan struct{}) bool {
	select {
	case <-ch:
		return true
	default:
		return false
	}
}
