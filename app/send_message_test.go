package app

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/zapgate/zapgate/domain"
	"github.com/zapgate/zapgate/events"
)

var pngBytes = append([]byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), make([]byte, 32)...)

func newTestApp(t *testing.T) (*App, *fakeStore, *fakeStorage, *fakeWhatsApp, *domain.Instance) {
	t.Helper()
	store, files, wa := newFakeStore(), &fakeStorage{}, &fakeWhatsApp{}
	clock := func() time.Time { return time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC) }
	a := New(Deps{AdminToken: "admin-secret", Store: store, Storage: files, WhatsApp: wa, QR: fakeQR{}, Clock: clock,
		Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	in, _, err := a.CreateInstance(context.Background(), "sales")
	if err != nil {
		t.Fatal(err)
	}
	store.published = nil
	return a, store, files, wa, in
}

func TestSendMessage(t *testing.T) {
	tests := []struct {
		name       string
		cmd        func(instanceID string) SendMessage
		wantKind   domain.Kind
		wantStatus domain.MessageStatus
		wantCmd    bool
	}{
		{"text is queued with its command", func(id string) SendMessage {
			return SendMessage{InstanceID: id, To: "5511999998888", Type: "text", Text: "hi"}
		}, 0, domain.StatusQueued, true},
		{"image is stored by content hash", func(id string) SendMessage {
			return SendMessage{InstanceID: id, To: "5511999998888", Type: "image", Media: &MediaUpload{Data: pngBytes}}
		}, 0, domain.StatusQueued, true},
		{"scheduled waits without a command", func(id string) SendMessage {
			at := time.Date(2026, 11, 24, 0, 0, 0, 0, time.UTC)
			return SendMessage{InstanceID: id, To: "5511999998888", Type: "text", Text: "later", SendAt: &at}
		}, 0, domain.StatusScheduled, false},
		{"unknown instance", func(string) SendMessage {
			return SendMessage{InstanceID: domain.NewID(time.Now()), To: "5511999998888", Type: "text", Text: "x"}
		}, domain.KindNotFound, "", false},
		{"media too large", func(id string) SendMessage {
			return SendMessage{InstanceID: id, To: "5511999998888", Type: "document", Media: &MediaUpload{Data: make([]byte, domain.MaxMediaBytes+1)}}
		}, domain.KindTooLarge, "", false},
		{"mime contradicting content", func(id string) SendMessage {
			return SendMessage{InstanceID: id, To: "5511999998888", Type: "image", Media: &MediaUpload{Data: []byte("%PDF-1.4 ..."), Mime: "image/png"}}
		}, domain.KindInvalid, "", false},
		{"media on text", func(id string) SendMessage {
			return SendMessage{InstanceID: id, To: "5511999998888", Type: "text", Text: "x", Media: &MediaUpload{Data: pngBytes}}
		}, domain.KindInvalid, "", false},
		{"NUL in text", func(id string) SendMessage {
			return SendMessage{InstanceID: id, To: "5511999998888", Type: "text", Text: "a\x00b"}
		}, domain.KindInvalid, "", false},
		{"NUL in caption", func(id string) SendMessage {
			return SendMessage{InstanceID: id, To: "5511999998888", Type: "image", Caption: "\x00", Media: &MediaUpload{Data: pngBytes}}
		}, domain.KindInvalid, "", false},
		{"NUL in file name", func(id string) SendMessage {
			return SendMessage{InstanceID: id, To: "5511999998888", Type: "image", Media: &MediaUpload{Data: pngBytes, Filename: "a\x00.png"}}
		}, domain.KindInvalid, "", false},
		{"NUL in Idempotency-Key", func(id string) SendMessage {
			return SendMessage{InstanceID: id, To: "5511999998888", Type: "text", Text: "x", IdempotencyKey: "k\x00"}
		}, domain.KindInvalid, "", false},
		{"invalid UTF-8 in text", func(id string) SendMessage {
			return SendMessage{InstanceID: id, To: "5511999998888", Type: "text", Text: "a\xffb"}
		}, domain.KindInvalid, "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, store, files, _, in := newTestApp(t)
			m, created, err := a.SendMessage(context.Background(), tt.cmd(in.ID))
			if tt.wantKind != 0 {
				if domain.KindOf(err) != tt.wantKind {
					t.Fatalf("err = %v, want kind %d", err, tt.wantKind)
				}
				if len(store.published) != 0 {
					t.Fatalf("published %d envelopes on failure", len(store.published))
				}
				return
			}
			if err != nil || !created {
				t.Fatalf("SendMessage: %v created=%v", err, created)
			}
			if m.Status != tt.wantStatus {
				t.Errorf("status = %s, want %s", m.Status, tt.wantStatus)
			}
			if got := len(store.published); (got == 1) != tt.wantCmd {
				t.Fatalf("published %d envelopes, want command=%v", got, tt.wantCmd)
			}
			if tt.wantCmd {
				e := store.published[0]
				var data events.SendMessage
				_ = json.Unmarshal(e.Data, &data)
				if e.Type != events.CmdSendMessage || e.InstanceID != in.ID || data.MessageID != m.ID {
					t.Errorf("command = %+v", e)
				}
			}
			if m.Media != nil {
				if m.Media.Mime != "image/png" || m.Media.Size != int64(len(pngBytes)) || files.files[m.Media.Key] == nil {
					t.Errorf("media = %+v", m.Media)
				}
			}
		})
	}
}

func TestSendMessageIdempotency(t *testing.T) {
	a, store, _, _, in := newTestApp(t)
	ctx := context.Background()
	cmd := SendMessage{InstanceID: in.ID, To: "5511999998888", Type: "text", Text: "once", IdempotencyKey: "k1"}
	var wg sync.WaitGroup
	ids := make(chan string, 8)
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			m, _, err := a.SendMessage(ctx, cmd)
			if err != nil {
				t.Error(err)
				return
			}
			ids <- m.ID
		}()
	}
	wg.Wait()
	close(ids)
	first := ""
	for id := range ids {
		if first == "" {
			first = id
		}
		if id != first {
			t.Fatalf("two messages for one key: %s %s", first, id)
		}
	}
	if len(store.messages) != 1 || len(store.published) != 1 {
		t.Fatalf("%d messages, %d commands; want 1 and 1", len(store.messages), len(store.published))
	}
	other := cmd
	other.InstanceID = mustInstance(t, a)
	if m, created, err := a.SendMessage(ctx, other); err != nil || !created || m.ID == first {
		t.Fatalf("the same key on another instance must be a new message: %v %v", err, created)
	}
}

// TestIdempotencyKeyReuse: the same key with the same request answers the
// first message and queues nothing; with any difference in what is asked
// it is refused as idempotency_key_reused, and nothing is queued either.
func TestIdempotencyKeyReuse(t *testing.T) {
	at := time.Date(2026, 11, 24, 0, 0, 0, 0, time.UTC)
	later := at.Add(time.Hour)
	base := func(id string) SendMessage {
		return SendMessage{InstanceID: id, To: "5511999998888", Type: "image", Caption: "menu",
			Media: &MediaUpload{Data: pngBytes, Mime: "image/png", Filename: "menu.png"}, SendAt: &at, IdempotencyKey: "k1"}
	}
	tests := []struct {
		name   string
		change func(*SendMessage)
		reused bool
	}{
		{"same request", func(*SendMessage) {}, false},
		{"same recipient written with +", func(c *SendMessage) { c.To = "+5511999998888" }, false},
		{"other recipient", func(c *SendMessage) { c.To = "5511999997777" }, true},
		{"other type", func(c *SendMessage) { c.Type = "document" }, true},
		{"other caption", func(c *SendMessage) { c.Caption = "menu!" }, true},
		{"other file", func(c *SendMessage) {
			c.Media = &MediaUpload{Data: append(pngBytes[:len(pngBytes):len(pngBytes)], 1), Mime: "image/png", Filename: "menu.png"}
		}, true},
		{"other file name", func(c *SendMessage) { c.Media = &MediaUpload{Data: pngBytes, Mime: "image/png", Filename: "x.png"} }, true},
		{"other send_at", func(c *SendMessage) { c.SendAt = &later }, true},
		{"no send_at", func(c *SendMessage) { c.SendAt = nil }, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, store, _, _, in := newTestApp(t)
			ctx := context.Background()
			first, created, err := a.SendMessage(ctx, base(in.ID))
			if err != nil || !created {
				t.Fatalf("first send: %v %v", err, created)
			}
			cmd := base(in.ID)
			tt.change(&cmd)
			m, created, err := a.SendMessage(ctx, cmd)
			if tt.reused {
				if !errors.Is(err, domain.ErrIdempotencyKeyReused) || domain.KindOf(err) != domain.KindUnprocessable {
					t.Fatalf("err = %v, want idempotency_key_reused", err)
				}
			} else if err != nil || created || m.ID != first.ID {
				t.Fatalf("repeat = %v created=%v err=%v, want the first message %s", m, created, err, first.ID)
			}
			if len(store.messages) != 1 {
				t.Fatalf("%d messages stored, want 1", len(store.messages))
			}
		})
	}
}

func mustInstance(t *testing.T, a *App) string {
	in, _, err := a.CreateInstance(context.Background(), "other")
	if err != nil {
		t.Fatal(err)
	}
	return in.ID
}

func TestDeliverMessage(t *testing.T) {
	tests := []struct {
		name       string
		sendErr    error
		wantStatus domain.MessageStatus
		wantErr    bool
		wantEvent  bool
	}{
		{"sent", nil, domain.StatusSent, false, true},
		{"permanent failure is recorded", fmt.Errorf("banned: %w", ErrPermanent), domain.StatusFailed, false, true},
		{"transient failure is retried", errors.New("timeout"), domain.StatusQueued, true, false},
		{"not connected is retried", ErrNotConnected, domain.StatusQueued, true, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, store, _, wa, in := newTestApp(t)
			ctx := context.Background()
			m, _, err := a.SendMessage(ctx, SendMessage{InstanceID: in.ID, To: "5511999998888", Type: "image", Media: &MediaUpload{Data: pngBytes}, Caption: "c"})
			if err != nil {
				t.Fatal(err)
			}
			store.published = nil
			wa.err = tt.sendErr
			status, err := deliver(ctx, a, in.ID, m.ID, false)
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v", err)
			}
			stored, _ := store.Message(ctx, in.ID, m.ID)
			if stored.Status != tt.wantStatus || (!tt.wantErr && status != tt.wantStatus) {
				t.Fatalf("status = %s (returned %s), want %s", stored.Status, status, tt.wantStatus)
			}
			if got := len(store.published) == 1; got != tt.wantEvent {
				t.Fatalf("events = %d", len(store.published))
			}
			if tt.wantEvent && store.published[0].Type != events.MessageStatus {
				t.Fatalf("event %s", store.published[0].Type)
			}
			if tt.sendErr == nil {
				if len(wa.sent) != 1 || wa.sent[0].WAMessageID != m.WAMessageID || string(wa.sent[0].Media) != string(pngBytes) || wa.sent[0].Caption != "c" {
					t.Fatalf("sent %+v", wa.sent)
				}
				// A redelivered command has no further effect.
				if _, err := deliver(ctx, a, in.ID, m.ID, true); err != nil || len(wa.sent) != 1 {
					t.Fatalf("redelivery sent again: %v, %d sends", err, len(wa.sent))
				}
			}
		})
	}
}

// deliver runs the bot's three steps for one message.
func deliver(ctx context.Context, a *App, instanceID, messageID string, maybeSent bool) (domain.MessageStatus, error) {
	queued, err := a.QueuedSends(ctx, instanceID, []string{messageID})
	if err != nil {
		return "", err
	}
	m, ok := queued[messageID]
	if !ok {
		return "", nil
	}
	out, err := a.SendOne(ctx, PreparedSend{Message: m, MaybeSent: maybeSent})
	if err != nil {
		return "", err
	}
	st, err := a.RecordSends(ctx, instanceID, []SendOutcome{out})
	if err != nil {
		return "", err
	}
	return st[0], nil
}

func TestSendOneAsksTheDriverOnlyWhenMaybeSent(t *testing.T) {
	tests := []struct {
		name          string
		sentBefore    bool
		maybeSent     bool
		wantSends     int
		wantRecordsOK bool
	}{
		{"first delivery sends", false, false, 1, true},
		{"redelivered, never reached WhatsApp: sends", false, true, 1, true},
		{"redelivered, already accepted: does not send again", true, true, 1, true},
		// Without the flag nothing is asked: a first delivery costs no lookup.
		{"not flagged: sends without asking", true, false, 2, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, store, _, wa, in := newTestApp(t)
			ctx := context.Background()
			m, _, err := a.SendMessage(ctx, SendMessage{InstanceID: in.ID, To: "5511999998888", Type: "text", Text: "hi"})
			if err != nil {
				t.Fatal(err)
			}
			if tt.sentBefore {
				wa.sent = append(wa.sent, OutboundMessage{WAMessageID: m.WAMessageID})
			}
			store.published = nil
			out, err := a.SendOne(ctx, PreparedSend{Message: *m, MaybeSent: tt.maybeSent})
			if err != nil || out.Err != nil || out.MessageID != m.ID {
				t.Fatalf("outcome %+v, %v", out, err)
			}
			if len(wa.sent) != tt.wantSends {
				t.Fatalf("%d sends, want %d", len(wa.sent), tt.wantSends)
			}
		})
	}
}

func TestRecordSendsStoresABatchInOneTransaction(t *testing.T) {
	a, store, _, _, in := newTestApp(t)
	ctx := context.Background()
	var ids []string
	for i := 0; i < 3; i++ {
		m, _, err := a.SendMessage(ctx, SendMessage{InstanceID: in.ID, To: "5511999998888", Type: "text", Text: "hi"})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, m.ID)
	}
	now := time.Date(2026, 11, 23, 12, 0, 1, 0, time.UTC)
	outs := []SendOutcome{
		{MessageID: ids[0], At: now},
		{MessageID: ids[1], Err: fmt.Errorf("not on WhatsApp: %w", ErrPermanent), At: now},
		{MessageID: ids[2], At: now},
		{MessageID: ids[0], At: now},            // a second copy of a command: no change, no event
		{MessageID: domain.NewID(now), At: now}, // deleted meanwhile: skipped
	}
	store.published, store.commits = nil, 0
	statuses, err := a.RecordSends(ctx, in.ID, outs)
	if err != nil {
		t.Fatal(err)
	}
	want := []domain.MessageStatus{domain.StatusSent, domain.StatusFailed, domain.StatusSent, domain.StatusSent, ""}
	if fmt.Sprint(statuses) != fmt.Sprint(want) {
		t.Fatalf("statuses %v, want %v", statuses, want)
	}
	if len(store.published) != 3 {
		t.Fatalf("%d events, want one per changed message", len(store.published))
	}
	if store.commits != 1 {
		t.Fatalf("%d transactions, want 1", store.commits)
	}
	queued, err := a.QueuedSends(ctx, in.ID, ids)
	if err != nil || len(queued) != 0 {
		t.Fatalf("still queued: %v, %v", queued, err)
	}
}

func TestAuthenticate(t *testing.T) {
	a, _, _, _, _ := newTestApp(t)
	ctx := context.Background()
	in, token, err := a.CreateInstance(ctx, "support")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		token   string
		want    Principal
		wantErr bool
	}{
		{"admin", "admin-secret", Principal{Admin: true}, false},
		{"instance", token, Principal{InstanceID: in.ID}, false},
		{"empty", "", Principal{}, true},
		{"wrong", "zgi_nope", Principal{}, true},
		{"admin prefix", "admin-secre", Principal{}, true},
	}
	for _, tt := range tests {
		got, err := a.Authenticate(ctx, tt.token)
		if (err != nil) != tt.wantErr || got != tt.want {
			t.Errorf("%s: got %+v, %v", tt.name, got, err)
		}
		if err != nil && domain.KindOf(err) != domain.KindUnauthorized {
			t.Errorf("%s: kind %d", tt.name, domain.KindOf(err))
		}
	}
	p := Principal{InstanceID: in.ID}
	if !p.CanAccess(in.ID) || p.CanAccess(domain.NewID(time.Now())) {
		t.Error("instance principal reaches the wrong instances")
	}
}
