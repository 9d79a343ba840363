package whatsmeow

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"

	"go.mau.fi/whatsmeow"

	"github.com/zapgate/zapgate/domain"
)

type fakeLinker struct {
	mu       sync.Mutex
	codes    []string
	expiry   []time.Time
	statuses []string
}

func (f *fakeLinker) SetInstanceQR(ctx context.Context, id, code string, expiresAt time.Time) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.codes, f.expiry = append(f.codes, code), append(f.expiry, expiresAt)
	return nil
}

func (f *fakeLinker) SetInstanceStatus(ctx context.Context, id string, s domain.InstanceStatus, phone, reason string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.statuses = append(f.statuses, string(s)+": "+reason)
	return nil
}

// TestQRRound feeds a QR channel by hand: each code is recorded with its
// expiry; the end of the round leaves the instance disconnected with a
// reason, and a pairing error says what failed.
func TestQRRound(t *testing.T) {
	tests := []struct {
		name       string
		items      []whatsmeow.QRChannelItem
		wantCodes  int
		wantStatus string
	}{
		{"codes then timeout", []whatsmeow.QRChannelItem{
			{Event: whatsmeow.QRChannelEventCode, Code: "2@a", Timeout: time.Minute},
			{Event: whatsmeow.QRChannelEventCode, Code: "2@b", Timeout: 20 * time.Second},
			whatsmeow.QRChannelTimeout,
		}, 2, "disconnected: the QR code was not scanned in time; ask for the QR again"},
		{"success", []whatsmeow.QRChannelItem{{Event: whatsmeow.QRChannelEventCode, Code: "2@a", Timeout: time.Minute}, whatsmeow.QRChannelSuccess}, 1, ""},
		{"pairing error", []whatsmeow.QRChannelItem{{Event: whatsmeow.QRChannelEventError, Error: errors.New("bad signature")}}, 0,
			"disconnected: pairing failed: bad signature"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			link := &fakeLinker{}
			d := &Driver{link: link, log: slog.New(slog.NewTextHandler(io.Discard, nil))}
			ch := make(chan whatsmeow.QRChannelItem, len(tt.items))
			for _, it := range tt.items {
				ch <- it
			}
			close(ch)
			start := time.Now()
			d.watchQR(context.Background(), "inst", ch)
			if len(link.codes) != tt.wantCodes {
				t.Fatalf("codes = %v", link.codes)
			}
			if tt.wantCodes > 0 && (link.codes[0] != "2@a" || link.expiry[0].Before(start.Add(59*time.Second))) {
				t.Fatalf("first code %q expires %v", link.codes[0], link.expiry[0])
			}
			got := ""
			if len(link.statuses) > 0 {
				got = link.statuses[len(link.statuses)-1]
			}
			if got != tt.wantStatus {
				t.Fatalf("status = %q, want %q", got, tt.wantStatus)
			}
		})
	}
}
