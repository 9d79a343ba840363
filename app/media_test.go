package app

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"sort"
	"testing"
	"time"

	"github.com/zapgate/zapgate/domain"
)

// ChatIncoming implements Store on the fake's messages.
func (s *fakeStore) ChatIncoming(ctx context.Context, instanceID string, chats, ids []string, limit int) ([]domain.Message, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	inChat := map[string]bool{}
	for _, c := range chats {
		inChat[c] = true
	}
	named := map[string]bool{}
	for _, id := range ids {
		named[id] = true
	}
	var out []domain.Message
	for _, m := range s.messages {
		if m.InstanceID != instanceID || !inChat[m.Chat] || m.Direction != domain.DirectionIn {
			continue
		}
		if (len(ids) == 0 && m.Unread()) || named[m.ID] {
			out = append(out, m)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	if len(out) > limit {
		out = out[:limit]
	}
	return out, nil
}

// fakeChats is a driver that sends read receipts and presence.
type fakeChats struct {
	fakeWhatsApp
	reads     []fakeRead
	presences []ChatPresence
	err       error
}

type fakeRead struct {
	chat, sender string
	ids          []string
}

func (f *fakeChats) MarkRead(ctx context.Context, instanceID, chat, sender string, ids []string, at time.Time) error {
	if f.err != nil {
		return f.err
	}
	f.reads = append(f.reads, fakeRead{chat, sender, ids})
	return nil
}

func (f *fakeChats) SendPresence(ctx context.Context, instanceID, chat string, state domain.PresenceState) error {
	if f.err != nil {
		return f.err
	}
	f.presences = append(f.presences, ChatPresence{Chat: chat, State: state})
	return nil
}

func incomingIn(store *fakeStore, instanceID, chat, participant string, n int) []string {
	store.mu.Lock()
	defer store.mu.Unlock()
	var ids []string
	for i := range n {
		now := time.Date(2026, 11, 23, 11, 0, i, 0, time.UTC)
		m := domain.Message{ID: domain.NewID(now), InstanceID: instanceID, Direction: domain.DirectionIn,
			Status: domain.StatusReceived, Chat: chat, IsGroup: participant != "", Participant: participant,
			Type: domain.TypeText, Text: "hi", WAMessageID: domain.NewWAMessageID(), CreatedAt: now}
		store.messages[m.ID] = m
		ids = append(ids, m.ID)
	}
	return ids
}

func TestReadChat(t *testing.T) {
	ctx := context.Background()
	wa := &fakeChats{}
	a, store, id := newProfileApp(t, wa)
	person := "5511999998888@s.whatsapp.net"
	ids := incomingIn(store, id, person, "", 3)
	incomingIn(store, id, "5511777776666@s.whatsapp.net", "", 1) // another chat

	// Given ids: only those.
	cmd, err := a.ReadChat(ctx, id, "5511999998888", ids[:1])
	if err != nil {
		t.Fatal(err)
	}
	if err := a.RunCommand(ctx, id, cmd.ID); err != nil {
		t.Fatal(err)
	}
	if len(wa.reads) != 1 || wa.reads[0].chat != person || wa.reads[0].sender != person || len(wa.reads[0].ids) != 1 {
		t.Fatalf("reads = %+v", wa.reads)
	}
	// The default: every unread one of the chat, the read one skipped.
	cmd, err = a.ReadChat(ctx, id, person, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := a.RunCommand(ctx, id, cmd.ID); err != nil {
		t.Fatal(err)
	}
	got, _ := a.GetCommand(ctx, id, cmd.ID)
	var res ChatRead
	if err := json.Unmarshal(got.Result, &res); err != nil || len(res.MessageIDs) != 2 || res.MessageIDs[0] != ids[1] {
		t.Fatalf("result %s (%v), want %v", got.Result, err, ids[1:])
	}
	for _, mid := range ids {
		if m, _ := store.Message(ctx, id, mid); m.ReadAt == nil {
			t.Errorf("message %s not marked read", mid)
		}
	}
	// Nothing unread: done, WhatsApp not asked.
	cmd, _ = a.ReadChat(ctx, id, person, nil)
	if err := a.RunCommand(ctx, id, cmd.ID); err != nil {
		t.Fatal(err)
	}
	if got, _ := a.GetCommand(ctx, id, cmd.ID); got.Status != domain.CommandDone || len(wa.reads) != 2 {
		t.Fatalf("status %s, reads %d", got.Status, len(wa.reads))
	}
}

func TestReadChatInGroupsGoesPerSender(t *testing.T) {
	ctx := context.Background()
	wa := &fakeChats{}
	a, store, id := newProfileApp(t, wa)
	group := "120363025246125244@g.us"
	incomingIn(store, id, group, "5511111111111@s.whatsapp.net", 2)
	incomingIn(store, id, group, "99887766@lid", 1)
	cmd, err := a.ReadChat(ctx, id, group, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := a.RunCommand(ctx, id, cmd.ID); err != nil {
		t.Fatal(err)
	}
	if len(wa.reads) != 2 {
		t.Fatalf("reads = %+v, want one per sender", wa.reads)
	}
	for _, r := range wa.reads {
		if r.chat != group || (r.sender == "5511111111111@s.whatsapp.net") != (len(r.ids) == 2) {
			t.Errorf("read %+v", r)
		}
	}
}

func TestChatRequestsRefuseBadInput(t *testing.T) {
	ctx := context.Background()
	a, store, id := newProfileApp(t, &fakeChats{})
	other := incomingIn(store, id, "5511777776666@s.whatsapp.net", "", 1)
	tests := []struct {
		name, field string
		request     func() (*domain.Command, error)
	}{
		{"read no address", "address", func() (*domain.Command, error) { return a.ReadChat(ctx, id, "abc", nil) }},
		{"read a bad id", "message_ids", func() (*domain.Command, error) { return a.ReadChat(ctx, id, "5511999998888", []string{"x"}) }},
		{"read another chat's message", "message_ids", func() (*domain.Command, error) { return a.ReadChat(ctx, id, "5511999998888", other) }},
		{"presence no address", "address", func() (*domain.Command, error) { return a.SetChatPresence(ctx, id, "abc", "typing") }},
		{"presence bad state", "state", func() (*domain.Command, error) { return a.SetChatPresence(ctx, id, "5511999998888", "dancing") }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := tt.request()
			var de *domain.Error
			if !errors.As(err, &de) || de.Kind != domain.KindInvalid || de.Fields[tt.field] == "" {
				t.Fatalf("err = %v, want invalid naming %s", err, tt.field)
			}
		})
	}
	if _, err := a.ReadChat(ctx, domain.NewID(time.Now()), "5511999998888", nil); !domain.IsNotFound(err) {
		t.Fatalf("unknown instance: %v", err)
	}
}

func TestChatPresenceRuns(t *testing.T) {
	ctx := context.Background()
	wa := &fakeChats{}
	a, _, id := newProfileApp(t, wa)
	for _, state := range []string{"typing", "recording", "paused"} {
		cmd, err := a.SetChatPresence(ctx, id, "5511999998888", state)
		if err != nil {
			t.Fatal(err)
		}
		if err := a.RunCommand(ctx, id, cmd.ID); err != nil {
			t.Fatal(err)
		}
	}
	if len(wa.presences) != 3 || wa.presences[1].State != domain.PresenceRecording || wa.presences[0].Chat != "5511999998888@s.whatsapp.net" {
		t.Fatalf("presences = %+v", wa.presences)
	}
	// WhatsApp's refusal ends the command whatsapp_refused.
	wa.err = ErrPermanent
	cmd, _ := a.SetChatPresence(ctx, id, "5511999998888", "typing")
	if err := a.RunCommand(ctx, id, cmd.ID); err != nil {
		t.Fatal(err)
	}
	if got, _ := a.GetCommand(ctx, id, cmd.ID); got.ErrorCode != domain.CommandWhatsAppRefused {
		t.Fatalf("error %q", got.ErrorCode)
	}
}

// fakeConverter turns anything into a fixed Ogg/Opus file.
type fakeConverter struct {
	out []byte
	err error
	n   int
}

func (f *fakeConverter) ToVoiceNote(ctx context.Context, audio []byte) ([]byte, error) {
	f.n++
	return f.out, f.err
}

// oggOpus is the start of an Ogg/Opus file: one page holding OpusHead.
func oggOpus() []byte {
	page := []byte("OggS\x00\x02\x00\x00\x00\x00\x00\x00\x00\x00\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x01\x13")
	return append(page, []byte("OpusHead\x01\x01\x38\x01\x80\xbb\x00\x00\x00\x00\x00")...)
}

func newVoiceApp(t *testing.T, conv VoiceConverter) (*App, string) {
	t.Helper()
	store := newFakeStore()
	a := New(Deps{Store: store, Storage: &fakeStorage{}, WhatsApp: &fakeWhatsApp{}, QR: fakeQR{}, VoiceConverter: conv,
		Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	in, _, err := a.CreateInstance(context.Background(), "sales")
	if err != nil {
		t.Fatal(err)
	}
	return a, in.ID
}

func TestVoiceNotes(t *testing.T) {
	ctx := context.Background()
	mp3 := append([]byte("ID3\x03\x00\x00\x00\x00\x00\x00"), make([]byte, 64)...)
	tests := []struct {
		name      string
		conv      *fakeConverter
		noConv    bool
		data      []byte
		converted bool
		field     string // refused naming this field
	}{
		{name: "ogg/opus as is", conv: &fakeConverter{}, data: oggOpus()},
		{name: "mp3 converted", conv: &fakeConverter{out: oggOpus()}, data: mp3, converted: true},
		{name: "no converter", noConv: true, data: mp3, field: "media"},
		{name: "ffmpeg missing", conv: &fakeConverter{err: ErrNoConverter}, data: mp3, field: "media"},
		{name: "conversion fails", conv: &fakeConverter{err: errors.New("Invalid data found")}, data: mp3, field: "media"},
		{name: "conversion yields no opus", conv: &fakeConverter{out: []byte("nope")}, data: mp3, field: "media"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var conv VoiceConverter
			if !tt.noConv {
				conv = tt.conv
			}
			a, id := newVoiceApp(t, conv)
			m, _, err := a.SendMessage(ctx, SendMessage{InstanceID: id, To: "5511999998888", Type: "audio", PTT: true,
				Media: &MediaUpload{Data: tt.data}})
			if tt.field != "" {
				var de *domain.Error
				if !errors.As(err, &de) || de.Fields[tt.field] == "" {
					t.Fatalf("err = %v, want invalid naming %s", err, tt.field)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !m.PTT || m.Media.Mime != "audio/ogg" {
				t.Errorf("ptt %v, mime %q", m.PTT, m.Media.Mime)
			}
			if (tt.conv.n == 1) != tt.converted {
				t.Errorf("converted %d times", tt.conv.n)
			}
		})
	}
	a, id := newVoiceApp(t, &fakeConverter{})
	_, _, err := a.SendMessage(ctx, SendMessage{InstanceID: id, To: "5511999998888", Type: "text", Text: "hi", PTT: true})
	var de *domain.Error
	if !errors.As(err, &de) || de.Fields["ptt"] == "" {
		t.Fatalf("ptt on text: %v", err)
	}
}

// fakeFetcher serves one body.
type fakeFetcher struct {
	body, contentType string
	err               error
	urls              []string
}

func (f *fakeFetcher) Fetch(ctx context.Context, rawURL string, limit int64) ([]byte, string, error) {
	f.urls = append(f.urls, rawURL)
	return []byte(f.body), f.contentType, f.err
}

type denyAll struct{}

func (denyAll) CheckURL(ctx context.Context, rawURL string) error {
	return errors.New("points to an internal address")
}

func TestMediaByURL(t *testing.T) {
	ctx := context.Background()
	png := "\x89PNG\r\n\x1a\n" + string(make([]byte, 32))
	tests := []struct {
		name    string
		url     string
		fetcher *fakeFetcher
		guard   URLGuard
		typ     string
		data    []byte
		mime    string // stored
		field   string // refused naming this field
	}{
		{name: "served type", url: "https://example.com/a/menu.png", fetcher: &fakeFetcher{body: png, contentType: "image/png"}, typ: "image", mime: "image/png"},
		{name: "sniffed when generic", url: "https://example.com/x", fetcher: &fakeFetcher{body: png, contentType: "application/octet-stream"}, typ: "image", mime: "image/png"},
		{name: "type that does not fit", url: "https://example.com/x.pdf", fetcher: &fakeFetcher{body: "%PDF-1.4 x", contentType: "application/pdf"}, typ: "image", field: "media.mime"},
		{name: "ftp", url: "ftp://example.com/x", fetcher: &fakeFetcher{}, typ: "image", field: "media.url"},
		{name: "no URL", url: "https://", fetcher: &fakeFetcher{}, typ: "image", field: "media.url"},
		{name: "guarded", url: "http://10.0.0.1/x.png", fetcher: &fakeFetcher{body: png}, guard: denyAll{}, typ: "image", field: "media.url"},
		{name: "data and url", url: "https://example.com/x.png", fetcher: &fakeFetcher{}, typ: "image", data: []byte(png), field: "media"},
		{name: "no fetcher", url: "https://example.com/x.png", typ: "image", field: "media.url"},
		{name: "too large", url: "https://example.com/x.png", fetcher: &fakeFetcher{err: domain.ErrMediaTooLarge}, typ: "image"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := Deps{Store: newFakeStore(), Storage: &fakeStorage{}, WhatsApp: &fakeWhatsApp{}, QR: fakeQR{}, URLGuard: tt.guard,
				Log: slog.New(slog.NewTextHandler(io.Discard, nil))}
			if tt.fetcher != nil {
				d.MediaFetcher = tt.fetcher
			}
			a := New(d)
			in, _, _ := a.CreateInstance(ctx, "sales")
			m, _, err := a.SendMessage(ctx, SendMessage{InstanceID: in.ID, To: "5511999998888", Type: tt.typ,
				Media: &MediaUpload{URL: tt.url, Data: tt.data}})
			switch {
			case tt.name == "too large":
				if !errors.Is(err, domain.ErrMediaTooLarge) {
					t.Fatalf("err = %v", err)
				}
			case tt.field != "":
				var de *domain.Error
				if !errors.As(err, &de) || de.Fields[tt.field] == "" {
					t.Fatalf("err = %v, want invalid naming %s", err, tt.field)
				}
				if tt.guard != nil && len(tt.fetcher.urls) > 0 {
					t.Error("fetched a URL the guard refused")
				}
			case err != nil:
				t.Fatal(err)
			case m.Media.Mime != tt.mime:
				t.Errorf("mime %q, want %q", m.Media.Mime, tt.mime)
			}
		})
	}
}

func TestMediaByURLIsIdempotentWithoutRefetching(t *testing.T) {
	ctx := context.Background()
	f := &fakeFetcher{body: "\x89PNG\r\n\x1a\n" + string(make([]byte, 32)), contentType: "image/png"}
	a := New(Deps{Store: newFakeStore(), Storage: &fakeStorage{}, WhatsApp: &fakeWhatsApp{}, QR: fakeQR{}, MediaFetcher: f,
		Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	in, _, _ := a.CreateInstance(ctx, "sales")
	send := SendMessage{InstanceID: in.ID, To: "5511999998888", Type: "image", IdempotencyKey: "k1",
		Media: &MediaUpload{URL: "https://example.com/menu.png"}}
	first, created, err := a.SendMessage(ctx, send)
	if err != nil || !created {
		t.Fatal(err, created)
	}
	send.Media = &MediaUpload{URL: "https://example.com/menu.png"}
	again, created, err := a.SendMessage(ctx, send)
	if err != nil || created || again.ID != first.ID {
		t.Fatalf("again: %v, created %v", err, created)
	}
	if len(f.urls) != 1 {
		t.Errorf("fetched %d times", len(f.urls))
	}
	send.Media = &MediaUpload{URL: "https://example.com/other.png"}
	if _, _, err := a.SendMessage(ctx, send); !errors.Is(err, domain.ErrIdempotencyKeyReused) {
		t.Fatalf("another URL under the key: %v", err)
	}
}
