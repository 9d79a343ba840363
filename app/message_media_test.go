package app

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/zapgate/zapgate/domain"
)

func TestMessageMediaGoesToWhoSeesTheMessage(t *testing.T) {
	a, store, _, _, in := newTestApp(t)
	ctx := context.Background()
	send := func() string {
		m, _, err := a.SendMessage(ctx, SendMessage{InstanceID: in.ID, To: "5511999998888", Type: "image", Media: &MediaUpload{Data: pngBytes}})
		if err != nil {
			t.Fatal(err)
		}
		return m.ID
	}
	loose, filed := send(), send()
	// filed belongs to an attendance, as a customer's picture or a reply does.
	m := store.messages[filed]
	m.AttendanceID = domain.NewID(time.Now())
	store.messages[filed] = m

	other := domain.NewID(time.Now())
	attendant := Principal{AttendantID: domain.NewID(time.Now())}
	tests := []struct {
		name      string
		p         Principal
		messageID string
		ok        bool
	}{
		{"admin, any message", Principal{Admin: true}, loose, true},
		{"the instance's token, any message", Principal{InstanceID: in.ID}, loose, true},
		{"the instance's token, an attendance's message", Principal{InstanceID: in.ID}, filed, true},
		{"an attendant, an attendance's message", attendant, filed, true},
		{"an attendant, a message of no attendance", attendant, loose, false},
		{"another instance's token", Principal{InstanceID: other}, filed, false},
		{"nobody", Principal{}, filed, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data, media, err := a.MessageMedia(ctx, tt.p, in.ID, tt.messageID)
			if !tt.ok {
				if !domain.IsNotFound(err) {
					t.Fatalf("err = %v, want not found", err)
				}
				return
			}
			if err != nil || !bytes.Equal(data, pngBytes) || media.Mime != "image/png" {
				t.Fatalf("got %d bytes, %+v, %v", len(data), media, err)
			}
		})
	}
}
