package app

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/zapgate/zapgate/domain"
)

// fakeReplays counts the range as told and keeps what is inserted; the
// worker's methods are not used by the request.
type fakeReplays struct {
	n        int
	more     bool
	counted  int
	inserted []*domain.Replay
}

func (f *fakeReplays) InReplayTx(ctx context.Context, fn func(tx ReplayTx) error) error {
	return fn(fakeReplayTx{f: f})
}

func (f *fakeReplays) CountReplayEvents(ctx context.Context, _ EventFilter, limit int) (int, int64, bool, error) {
	f.counted++
	return min(f.n, limit), int64(min(f.n, limit)), f.more, nil
}

func (f *fakeReplays) DeleteReplaysBefore(context.Context, time.Time) (int64, error) { return 0, nil }

func (f *fakeReplays) Replay(ctx context.Context, id string) (*domain.Replay, error) {
	for _, r := range f.inserted {
		if r.ID == id {
			return r, nil
		}
	}
	return nil, domain.NotFound("replay")
}

type fakeReplayTx struct {
	ReplayTx // the worker's methods: unused here
	f        *fakeReplays
}

func (t fakeReplayTx) InsertReplay(ctx context.Context, r *domain.Replay) error {
	t.f.inserted = append(t.f.inserted, r)
	return nil
}

func TestReplayEventsRecordsTheRequest(t *testing.T) {
	now := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	earlier := now.Add(-time.Hour)
	id := domain.NewID(now)
	tests := []struct {
		name          string
		req           ReplayRequest
		matched       int
		more          bool
		wantField     string // invalid: nothing is counted or recorded
		wantCount     int
		wantTruncated bool
		wantStatus    domain.ReplayStatus
		wantTarget    string
	}{
		{name: "bad target", req: ReplayRequest{Target: "fax"}, wantField: "target"},
		{name: "bad instance", req: ReplayRequest{InstanceID: "x"}, wantField: "instance_id"},
		{name: "webhook for the websocket", req: ReplayRequest{Target: ReplayWebsocket, WebhookID: id}, wantField: "webhook_id"},
		{name: "until before since", req: ReplayRequest{Since: &now, Until: &earlier}, wantField: "until"},
		{name: "some events", req: ReplayRequest{Since: &earlier, Target: ReplayWebhooks}, matched: 3,
			wantCount: 3, wantStatus: domain.ReplayRunning, wantTarget: ReplayWebhooks},
		{name: "more than MaxReplay", req: ReplayRequest{}, matched: MaxReplay + 5, more: true,
			wantCount: MaxReplay, wantTruncated: true, wantStatus: domain.ReplayRunning, wantTarget: ReplayAll},
		{name: "nothing matched is done at once", req: ReplayRequest{InstanceID: id}, matched: 0,
			wantCount: 0, wantStatus: domain.ReplayDone, wantTarget: ReplayAll},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := &fakeReplays{n: tt.matched, more: tt.more}
			a := New(Deps{Replays: f, Clock: func() time.Time { return now }, Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
			r, err := a.ReplayEvents(context.Background(), tt.req)
			if tt.wantField != "" {
				var de *domain.Error
				if de, _ = err.(*domain.Error); de == nil || de.Kind != domain.KindInvalid || de.Fields[tt.wantField] == "" {
					t.Fatalf("err = %v, want invalid %s", err, tt.wantField)
				}
				if f.counted != 0 || len(f.inserted) != 0 {
					t.Fatalf("an invalid request was counted %d times, recorded %d", f.counted, len(f.inserted))
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if r.Count != tt.wantCount || r.Truncated != tt.wantTruncated || r.Status != tt.wantStatus || r.Target != tt.wantTarget {
				t.Fatalf("replay = count %d truncated %v status %s target %s", r.Count, r.Truncated, r.Status, r.Target)
			}
			if len(f.inserted) != 1 || f.inserted[0] != r || r.Sent != 0 {
				t.Fatalf("recorded %v", f.inserted)
			}
			got, err := a.GetReplay(context.Background(), r.ID)
			if err != nil || got.ID != r.ID {
				t.Fatalf("GetReplay = %v, %v", got, err)
			}
		})
	}
	a := New(Deps{Replays: &fakeReplays{}, Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if _, err := a.GetReplay(context.Background(), "not-an-id"); !domain.IsNotFound(err) {
		t.Fatalf("GetReplay(bad id) = %v, want not found", err)
	}
}
