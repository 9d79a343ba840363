package whatsapp

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"go.mau.fi/whatsmeow"
	"go.mau.fi/whatsmeow/proto/waE2E"
	"go.mau.fi/whatsmeow/types"
	"go.mau.fi/whatsmeow/types/events"
	"google.golang.org/protobuf/proto"

	"github.com/zapgate/zapgate/app"
	"github.com/zapgate/zapgate/domain"
)

type status struct {
	s             domain.InstanceStatus
	phone, reason string
}

type receipt struct {
	wa string
	s  domain.MessageStatus
}

type fakeSink struct {
	statuses []status
	receipts []receipt
	received []domain.IncomingDraft
	media    []*app.IncomingMedia
}

func (f *fakeSink) SetInstanceStatus(ctx context.Context, id string, s domain.InstanceStatus, phone, reason string) error {
	f.statuses = append(f.statuses, status{s, phone, reason})
	return nil
}

func (f *fakeSink) ApplyReceipt(ctx context.Context, instanceID, wa string, s domain.MessageStatus, at time.Time) error {
	if wa == "unknown" {
		return domain.NotFound("message")
	}
	f.receipts = append(f.receipts, receipt{wa, s})
	return nil
}

func (f *fakeSink) ReceiveMessage(ctx context.Context, d domain.IncomingDraft, m *app.IncomingMedia) (*domain.Message, bool, error) {
	f.received = append(f.received, d)
	f.media = append(f.media, m)
	return &domain.Message{}, true, nil
}

type fakeDownloader struct{ err error }

func (f fakeDownloader) Download(ctx context.Context, msg whatsmeow.DownloadableMessage) ([]byte, error) {
	return []byte("file-bytes"), f.err
}

func newTranslator(sink *fakeSink) *Translator {
	return &Translator{InstanceID: "inst", Sink: sink, Download: fakeDownloader{}, Phone: func() string { return "5511900000001" },
		Log: slog.New(slog.NewTextHandler(io.Discard, nil))}
}

func TestConnectionEvents(t *testing.T) {
	tests := []struct {
		name   string
		evt    any
		want   domain.InstanceStatus
		phone  string
		reason string
		alarm  string
	}{
		{"pair success", &events.PairSuccess{ID: types.NewJID("5511900000001", types.DefaultUserServer)}, domain.InstanceConnected, "5511900000001", "", ""},
		{"connected", &events.Connected{}, domain.InstanceConnected, "5511900000001", "", ""},
		{"disconnected", &events.Disconnected{}, domain.InstanceDisconnected, "5511900000001", "connection closed by WhatsApp; reconnecting", ""},
		{"stream replaced", &events.StreamReplaced{}, domain.InstanceDisconnected, "5511900000001", "another session took over this device (stream replaced)", ""},
		{"logged out from the phone", &events.LoggedOut{}, domain.InstanceLoggedOut, "", "logged out from the phone", ""},
		{"logged out on connect", &events.LoggedOut{OnConnect: true, Reason: events.ConnectFailureLoggedOut}, domain.InstanceLoggedOut, "", "logged out: 401: logged out from another device", ""},
		{"temporary ban", &events.TemporaryBan{Code: events.TempBanSentToTooManyPeople, Expire: time.Hour}, domain.InstanceDisconnected, "5511900000001", "", "temporary_ban"},
		{"client outdated", &events.ClientOutdated{}, domain.InstanceDisconnected, "5511900000001", "WhatsApp says this client is outdated: update zapgate", "client_outdated"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sink := &fakeSink{}
			tr := newTranslator(sink)
			var alarm string
			tr.Alarm = func(k string) { alarm = k }
			if err := tr.Handle(context.Background(), tt.evt); err != nil {
				t.Fatal(err)
			}
			if len(sink.statuses) != 1 {
				t.Fatalf("statuses = %v", sink.statuses)
			}
			got := sink.statuses[0]
			if got.s != tt.want || got.phone != tt.phone || (tt.reason != "" && got.reason != tt.reason) || got.reason == "" && tt.want != domain.InstanceConnected {
				t.Fatalf("status = %+v, want %s %q %q", got, tt.want, tt.phone, tt.reason)
			}
			if alarm != tt.alarm {
				t.Fatalf("alarm = %q, want %q", alarm, tt.alarm)
			}
		})
	}
}

func TestReceipts(t *testing.T) {
	sink := &fakeSink{}
	tr := newTranslator(sink)
	ctx := context.Background()
	for _, e := range []*events.Receipt{
		{MessageIDs: []types.MessageID{"A", "B"}, Type: types.ReceiptTypeDelivered},
		{MessageIDs: []types.MessageID{"A"}, Type: types.ReceiptTypeRead},
		{MessageIDs: []types.MessageID{"C"}, Type: types.ReceiptTypePlayed},
		{MessageIDs: []types.MessageID{"A"}, Type: types.ReceiptTypeReadSelf},
		{MessageIDs: []types.MessageID{"A"}, Type: types.ReceiptTypeRetry},
		{MessageIDs: []types.MessageID{"unknown"}, Type: types.ReceiptTypeRead},
	} {
		if err := tr.Handle(ctx, e); err != nil {
			t.Fatal(err)
		}
	}
	want := []receipt{{"A", domain.StatusDelivered}, {"B", domain.StatusDelivered}, {"A", domain.StatusRead}, {"C", domain.StatusRead}}
	if len(sink.receipts) != len(want) {
		t.Fatalf("receipts = %v", sink.receipts)
	}
	for i := range want {
		if sink.receipts[i] != want[i] {
			t.Fatalf("receipt %d = %v, want %v", i, sink.receipts[i], want[i])
		}
	}
}

func info(sender types.JID) types.MessageInfo {
	return types.MessageInfo{ID: "3EB0ABC", PushName: "Maria", Timestamp: time.Unix(1_700_000_000, 0),
		MessageSource: types.MessageSource{Chat: sender, Sender: sender}}
}

func TestConvertMessage(t *testing.T) {
	pn := types.NewJID("5511988887777", types.DefaultUserServer)
	lid := types.NewJID("123456789", types.HiddenUserServer)
	group := types.NewJID("120363000000000000", types.GroupServer)
	tests := []struct {
		name      string
		info      types.MessageInfo
		msg       *waE2E.Message
		wantType  domain.MessageType
		wantText  string
		wantFrom  string
		wantMedia string // mime
		check     func(t *testing.T, d domain.IncomingDraft)
	}{
		{"conversation", info(pn), &waE2E.Message{Conversation: proto.String("hi")}, domain.TypeText, "hi", "5511988887777", "", nil},
		{"extended text", info(pn), &waE2E.Message{ExtendedTextMessage: &waE2E.ExtendedTextMessage{Text: proto.String("see https://x")}}, domain.TypeText, "see https://x", "5511988887777", "", nil},
		{"image", info(pn), &waE2E.Message{ImageMessage: &waE2E.ImageMessage{Caption: proto.String("menu"), Mimetype: proto.String("image/jpeg")}}, domain.TypeImage, "", "5511988887777", "image/jpeg",
			func(t *testing.T, d domain.IncomingDraft) {
				if d.Caption != "menu" {
					t.Fatalf("caption %q", d.Caption)
				}
			}},
		{"voice note", info(pn), &waE2E.Message{AudioMessage: &waE2E.AudioMessage{PTT: proto.Bool(true), Mimetype: proto.String("audio/ogg; codecs=opus")}}, domain.TypeAudio, "", "5511988887777", "audio/ogg; codecs=opus",
			func(t *testing.T, d domain.IncomingDraft) {
				if e, ok := d.Extra.(Extra); !ok || !e.VoiceNote || !d.PTT {
					t.Fatalf("ptt %v, extra %+v", d.PTT, d.Extra)
				}
			}},
		{"video", info(pn), &waE2E.Message{VideoMessage: &waE2E.VideoMessage{Mimetype: proto.String("video/mp4")}}, domain.TypeVideo, "", "5511988887777", "video/mp4", nil},
		{"document", info(pn), &waE2E.Message{DocumentMessage: &waE2E.DocumentMessage{FileName: proto.String("a.pdf"), Mimetype: proto.String("application/pdf")}}, domain.TypeDocument, "", "5511988887777", "application/pdf", nil},
		{"sticker", info(pn), &waE2E.Message{StickerMessage: &waE2E.StickerMessage{Mimetype: proto.String("image/webp")}}, domain.TypeSticker, "", "5511988887777", "image/webp", nil},
		{"location", info(pn), &waE2E.Message{LocationMessage: &waE2E.LocationMessage{DegreesLatitude: proto.Float64(-23.5), DegreesLongitude: proto.Float64(-46.6), Name: proto.String("Office")}}, domain.TypeLocation, "", "5511988887777", "",
			func(t *testing.T, d domain.IncomingDraft) {
				if l := d.Location; l == nil || *l != (domain.Location{Latitude: -23.5, Longitude: -46.6, Name: "Office"}) || d.Extra != nil {
					t.Fatalf("location %+v, extra %+v", d.Location, d.Extra)
				}
			}},
		{"unsupported keeps its kind", info(pn), &waE2E.Message{ButtonsMessage: &waE2E.ButtonsMessage{}}, domain.TypeUnsupported, "", "5511988887777", "",
			func(t *testing.T, d domain.IncomingDraft) {
				if e := d.Extra.(Extra); e.Kind != "buttonsMessage" {
					t.Fatalf("kind %q", e.Kind)
				}
			}},
		{"LID sender with a known phone", func() types.MessageInfo {
			i := info(lid)
			i.SenderAlt = pn
			return i
		}(), &waE2E.Message{Conversation: proto.String("x")}, domain.TypeText, "x", "5511988887777", "",
			func(t *testing.T, d domain.IncomingDraft) {
				if e := d.Extra.(Extra); e.LID != "123456789" {
					t.Fatalf("lid %+v", d.Extra)
				}
				if d.FromLID != "123456789@lid" {
					t.Fatalf("from_lid %q", d.FromLID)
				}
			}},
		{"LID sender alone", info(lid), &waE2E.Message{Conversation: proto.String("x")}, domain.TypeText, "x", "123456789@lid", "", nil},
		{"group message", func() types.MessageInfo {
			i := info(pn)
			i.Chat, i.IsGroup = group, true
			return i
		}(), &waE2E.Message{Conversation: proto.String("all")}, domain.TypeText, "all", "5511988887777", "",
			func(t *testing.T, d domain.IncomingDraft) {
				if !d.IsGroup || d.Chat != "120363000000000000@g.us" || d.Participant != "5511988887777@s.whatsapp.net" {
					t.Fatalf("group %+v", d)
				}
			}},
		{"group message from a LID member's device", func() types.MessageInfo {
			i := info(types.JID{User: "123456789", Server: types.HiddenUserServer, Device: 7})
			i.Chat, i.IsGroup = group, true
			return i
		}(), &waE2E.Message{Conversation: proto.String("hi")}, domain.TypeText, "hi", "123456789@lid", "",
			func(t *testing.T, d domain.IncomingDraft) {
				if !d.IsGroup || d.Chat != "120363000000000000@g.us" || d.Participant != "123456789@lid" {
					t.Fatalf("group %+v", d)
				}
			}},
		{"direct message's chat is the person", info(pn), &waE2E.Message{Conversation: proto.String("x")}, domain.TypeText, "x", "5511988887777", "",
			func(t *testing.T, d domain.IncomingDraft) {
				if d.IsGroup || d.Chat != "5511988887777@s.whatsapp.net" || d.Participant != "" {
					t.Fatalf("direct %+v", d)
				}
			}},
		{"group text mentioning people", func() types.MessageInfo {
			i := info(pn)
			i.Chat, i.IsGroup = group, true
			return i
		}(), &waE2E.Message{ExtendedTextMessage: &waE2E.ExtendedTextMessage{Text: proto.String("hi @5511977776666 @99"),
			ContextInfo: &waE2E.ContextInfo{MentionedJID: []string{"5511977776666@s.whatsapp.net", "99:3@lid"}}}},
			domain.TypeText, "hi @5511977776666 @99", "5511988887777", "",
			func(t *testing.T, d domain.IncomingDraft) {
				if len(d.Mentions) != 2 || d.Mentions[0] != "5511977776666@s.whatsapp.net" || d.Mentions[1] != "99@lid" {
					t.Fatalf("mentions %v", d.Mentions)
				}
				m, err := domain.NewIncoming(d, time.Now())
				if err != nil || len(m.Mentions) != 2 {
					t.Fatalf("message mentions %v (%v)", m, err)
				}
			}},
		{"image caption mentioning someone", info(pn), &waE2E.Message{ImageMessage: &waE2E.ImageMessage{Caption: proto.String("@99"), Mimetype: proto.String("image/jpeg"),
			ContextInfo: &waE2E.ContextInfo{MentionedJID: []string{"99@lid"}}}}, domain.TypeImage, "", "5511988887777", "image/jpeg",
			func(t *testing.T, d domain.IncomingDraft) {
				if len(d.Mentions) != 1 || d.Mentions[0] != "99@lid" {
					t.Fatalf("mentions %v", d.Mentions)
				}
			}},
		{"a plain text mentions nobody", info(pn), &waE2E.Message{Conversation: proto.String("x")}, domain.TypeText, "x", "5511988887777", "",
			func(t *testing.T, d domain.IncomingDraft) {
				if d.Mentions != nil {
					t.Fatalf("mentions %v", d.Mentions)
				}
			}},
		{"direct message by LID", info(lid), &waE2E.Message{Conversation: proto.String("x")}, domain.TypeText, "x", "123456789@lid", "",
			func(t *testing.T, d domain.IncomingDraft) {
				if d.Chat != "123456789@lid" {
					t.Fatalf("direct %+v", d)
				}
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, media := ConvertMessage("inst", tt.info, tt.msg)
			if d.Type != tt.wantType || d.Text != tt.wantText || d.From != tt.wantFrom || d.WAMessageID != "3EB0ABC" || d.PushName != "Maria" {
				t.Fatalf("draft = %+v", d)
			}
			if (media != nil) != (tt.wantMedia != "") || (media != nil && media.Mime != tt.wantMedia) {
				t.Fatalf("media = %+v, want %q", media, tt.wantMedia)
			}
			if _, err := domain.NewIncoming(d, time.Now()); err != nil {
				t.Fatalf("not a valid incoming message: %v", err)
			}
			if tt.check != nil {
				tt.check(t, d)
			}
		})
	}
}

func TestIncomingMediaIsDownloaded(t *testing.T) {
	sink := &fakeSink{}
	tr := newTranslator(sink)
	evt := &events.Message{Info: info(types.NewJID("5511988887777", types.DefaultUserServer)),
		Message: &waE2E.Message{ImageMessage: &waE2E.ImageMessage{Mimetype: proto.String("image/jpeg")}}}
	if err := tr.Handle(context.Background(), evt); err != nil {
		t.Fatal(err)
	}
	if sink.media[0] == nil || string(sink.media[0].Data) != "file-bytes" || sink.media[0].Mime != "image/jpeg" {
		t.Fatalf("media = %+v", sink.media[0])
	}
	// A failed download still stores the message.
	tr.Download = fakeDownloader{err: errors.New("expired")}
	if err := tr.Handle(context.Background(), evt); err != nil || len(sink.received) != 2 || sink.media[1] != nil {
		t.Fatalf("after a failed download: %v %d", err, len(sink.received))
	}
}

func FuzzConvertMessage(f *testing.F) {
	seed, _ := proto.Marshal(&waE2E.Message{Conversation: proto.String("hi")})
	f.Add(seed, "5511988887777", "s.whatsapp.net", "Ana")
	img, _ := proto.Marshal(&waE2E.Message{ImageMessage: &waE2E.ImageMessage{Caption: proto.String("c")}})
	f.Add(img, "123", "lid", "")
	nul, _ := proto.Marshal(&waE2E.Message{Conversation: proto.String("a\x00b\xff")})
	f.Add(nul, "5511988887777", "s.whatsapp.net", "A\x00na")
	loc, _ := proto.Marshal(&waE2E.Message{LocationMessage: &waE2E.LocationMessage{Name: proto.String("x\x00y")}})
	f.Add(loc, "5511988887777", "s.whatsapp.net", "")
	f.Fuzz(func(t *testing.T, raw []byte, user, server, pushName string) {
		var msg waE2E.Message
		if proto.Unmarshal(raw, &msg) != nil {
			return
		}
		in := info(types.NewJID(user, server))
		in.PushName = pushName
		d, _ := ConvertMessage("inst", in, &msg)
		if d.Type == "" {
			t.Fatal("no type")
		}
		m, err := domain.NewIncoming(d, time.Now())
		if err != nil {
			return
		}
		// What WhatsApp delivers is stored: text Postgres would refuse
		// must have been cleaned, never passed on.
		for _, s := range []string{m.Text, m.Caption, m.PushName} {
			if strings.IndexByte(s, 0) >= 0 || !utf8.ValidString(s) {
				t.Fatalf("kept %q, which Postgres cannot store as text", s)
			}
		}
		if m.Extra != nil && !storableJSON(m.Extra) {
			t.Fatalf("extra %s cannot be stored as jsonb", m.Extra)
		}
	})
}

// storableJSON tells whether Postgres jsonb takes b: valid JSON whose keys
// and strings hold no NUL.
func storableJSON(b []byte) bool {
	if !json.Valid(b) || !utf8.Valid(b) {
		return false
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			return true
		}
		if err != nil {
			return false
		}
		if s, ok := tok.(string); ok && strings.IndexByte(s, 0) >= 0 {
			return false
		}
	}
}
