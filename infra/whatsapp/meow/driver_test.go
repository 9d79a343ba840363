package meow

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"

	"go.mau.fi/whatsmeow"

	"github.com/zapgate/zapgate/app"
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
		}, 2, "disconnected: the QR round ended before a scan (codes timed out, or the connection to WhatsApp dropped); ask for the QR again"},
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

func quiet() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

type fakeDevices struct {
	jid   string
	err   error
	calls int
}

func (f *fakeDevices) DeviceJID(ctx context.Context, instanceID string) (string, error) {
	f.calls++
	return f.jid, f.err
}

func (f *fakeDevices) SetDeviceJID(ctx context.Context, instanceID, jid string) error {
	f.jid = jid
	return nil
}

// TestWatchQRStopsWithSession: whatsmeow closes the QR channel only once
// codes were shown, so a session stopped before that must end the watcher.
func TestWatchQRStopsWithSession(t *testing.T) {
	d := &Driver{link: &fakeLinker{}, log: quiet()}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		d.watchQR(ctx, "inst", make(chan whatsmeow.QRChannelItem))
	}()
	cancel()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("watchQR still running after its session stopped")
	}
}

func TestSendWithoutSession(t *testing.T) {
	d := &Driver{log: quiet(), sessions: map[string]*session{}}
	err := d.Send(context.Background(), "inst", app.OutboundMessage{To: "5511999998888", Type: domain.TypeText, Text: "hi"})
	if !errors.Is(err, app.ErrNotConnected) || errors.Is(err, app.ErrPermanent) {
		t.Fatalf("err = %v, want not connected", err)
	}
	if _, err := d.Download(context.Background(), "inst", nil); !errors.Is(err, app.ErrNotConnected) {
		t.Fatalf("download err = %v, want not connected", err)
	}
}

func TestConnectFailsCleanly(t *testing.T) {
	t.Run("device store error", func(t *testing.T) {
		boom := errors.New("db down")
		d := &Driver{devices: &fakeDevices{err: boom}, log: quiet(), sessions: map[string]*session{}}
		if err := d.Connect(context.Background(), "inst"); !errors.Is(err, boom) {
			t.Fatalf("err = %v, want %v", err, boom)
		}
		if len(d.sessions) != 0 {
			t.Fatal("a failed connect left a session")
		}
	})
	for _, jid := range []string{"not-a-jid", "1.2.3@s.whatsapp.net", "5511.x@s.whatsapp.net"} {
		t.Run("bad device jid "+jid, func(t *testing.T) {
			d := &Driver{devices: &fakeDevices{jid: jid}, log: quiet(), sessions: map[string]*session{}}
			if err := d.Connect(context.Background(), "inst"); err == nil {
				t.Fatal("connected with a malformed device JID")
			}
		})
	}
	t.Run("after close", func(t *testing.T) {
		devices := &fakeDevices{}
		d := &Driver{devices: devices, log: quiet(), sessions: map[string]*session{}}
		d.Close()
		if err := d.Connect(context.Background(), "inst"); !errors.Is(err, errClosed) || devices.calls != 0 {
			t.Fatalf("err = %v, device look-ups = %d", err, devices.calls)
		}
	})
}

func TestDisconnectUnknown(t *testing.T) {
	d := &Driver{log: quiet(), sessions: map[string]*session{}}
	d.Disconnect("nobody")
	d.Close()
	d.Close()
}
