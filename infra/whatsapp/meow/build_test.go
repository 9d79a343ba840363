package meow

import (
	"bytes"
	"encoding/binary"
	"errors"
	"testing"
	"time"

	"go.mau.fi/whatsmeow"
	"go.mau.fi/whatsmeow/proto/waE2E"
	"go.mau.fi/whatsmeow/types"

	"github.com/zapgate/zapgate/app"
	"github.com/zapgate/zapgate/domain"
)

var upload = &whatsmeow.UploadResponse{URL: "https://mmg.whatsapp.net/x", DirectPath: "/v/t62/x", MediaKey: []byte("key"),
	FileEncSHA256: []byte("enc"), FileSHA256: []byte("sha"), FileLength: 1234}

// media is the part every attachment message shares; the getters of the
// waE2E types fill it so one check covers them all.
type media struct {
	url, directPath, mime, caption string
	mediaKey, encSHA, sha          []byte
	length                         uint64
	hasCaption                     bool
}

func mediaOf(m *waE2E.Message) (media, bool) {
	switch {
	case m.GetImageMessage() != nil:
		x := m.GetImageMessage()
		return media{x.GetURL(), x.GetDirectPath(), x.GetMimetype(), x.GetCaption(), x.GetMediaKey(), x.GetFileEncSHA256(), x.GetFileSHA256(), x.GetFileLength(), x.Caption != nil}, true
	case m.GetAudioMessage() != nil:
		x := m.GetAudioMessage()
		return media{x.GetURL(), x.GetDirectPath(), x.GetMimetype(), "", x.GetMediaKey(), x.GetFileEncSHA256(), x.GetFileSHA256(), x.GetFileLength(), false}, true
	case m.GetVideoMessage() != nil:
		x := m.GetVideoMessage()
		return media{x.GetURL(), x.GetDirectPath(), x.GetMimetype(), x.GetCaption(), x.GetMediaKey(), x.GetFileEncSHA256(), x.GetFileSHA256(), x.GetFileLength(), x.Caption != nil}, true
	case m.GetStickerMessage() != nil:
		x := m.GetStickerMessage()
		return media{x.GetURL(), x.GetDirectPath(), x.GetMimetype(), "", x.GetMediaKey(), x.GetFileEncSHA256(), x.GetFileSHA256(), x.GetFileLength(), false}, true
	case m.GetDocumentMessage() != nil:
		x := m.GetDocumentMessage()
		return media{x.GetURL(), x.GetDirectPath(), x.GetMimetype(), x.GetCaption(), x.GetMediaKey(), x.GetFileEncSHA256(), x.GetFileSHA256(), x.GetFileLength(), x.Caption != nil}, true
	}
	return media{}, false
}

func TestBuildMessage(t *testing.T) {
	tests := []struct {
		name  string
		msg   app.OutboundMessage
		up    *whatsmeow.UploadResponse
		kind  string // which field of waE2E.Message is set
		extra func(t *testing.T, got *waE2E.Message)
	}{
		{name: "text", msg: app.OutboundMessage{Type: domain.TypeText, Text: "hello"}, kind: "conversation",
			extra: func(t *testing.T, got *waE2E.Message) {
				if got.GetConversation() != "hello" {
					t.Errorf("conversation = %q", got.GetConversation())
				}
			}},
		{name: "image", msg: app.OutboundMessage{Type: domain.TypeImage, Mime: "image/png", Caption: "menu"}, up: upload, kind: "image"},
		{name: "image without caption", msg: app.OutboundMessage{Type: domain.TypeImage, Mime: "image/jpeg"}, up: upload, kind: "image"},
		{name: "voice note", msg: app.OutboundMessage{Type: domain.TypeAudio, Mime: "audio/ogg", PTT: true, Media: twoSecondOpus()}, up: upload, kind: "audio",
			extra: func(t *testing.T, got *waE2E.Message) {
				a := got.GetAudioMessage()
				if !a.GetPTT() || a.GetMimetype() != "audio/ogg; codecs=opus" || a.GetSeconds() != 2 {
					t.Errorf("ptt %v, mime %q, seconds %d", a.GetPTT(), a.GetMimetype(), a.GetSeconds())
				}
			}},
		{name: "voice note with codec", msg: app.OutboundMessage{Type: domain.TypeAudio, Mime: "audio/ogg; codecs=opus", PTT: true}, up: upload, kind: "audio",
			extra: func(t *testing.T, got *waE2E.Message) {
				if a := got.GetAudioMessage(); !a.GetPTT() || a.Seconds != nil {
					t.Error("audio/ogg; codecs=opus not sent as a voice note, or a length made up")
				}
			}},
		{name: "ogg without ptt is an audio file", msg: app.OutboundMessage{Type: domain.TypeAudio, Mime: "audio/ogg"}, up: upload, kind: "audio",
			extra: func(t *testing.T, got *waE2E.Message) {
				if a := got.GetAudioMessage(); a.GetPTT() || a.GetMimetype() != "audio/ogg" {
					t.Errorf("ptt %v, mime %q", a.GetPTT(), a.GetMimetype())
				}
			}},
		{name: "mp3 is not a voice note", msg: app.OutboundMessage{Type: domain.TypeAudio, Mime: "audio/mpeg", Caption: "dropped"}, up: upload, kind: "audio",
			extra: func(t *testing.T, got *waE2E.Message) {
				if got.GetAudioMessage().GetPTT() {
					t.Error("mp3 sent as a voice note")
				}
			}},
		{name: "video", msg: app.OutboundMessage{Type: domain.TypeVideo, Mime: "video/mp4", Caption: "clip"}, up: upload, kind: "video"},
		{name: "sticker", msg: app.OutboundMessage{Type: domain.TypeSticker, Mime: "image/webp"}, up: upload, kind: "sticker"},
		{name: "document", msg: app.OutboundMessage{Type: domain.TypeDocument, Mime: "application/pdf", Filename: "invoice.pdf", Caption: "c"}, up: upload, kind: "document",
			extra: func(t *testing.T, got *waE2E.Message) {
				if d := got.GetDocumentMessage(); d.GetFileName() != "invoice.pdf" || d.GetTitle() != "invoice.pdf" {
					t.Errorf("file name %q, title %q", d.GetFileName(), d.GetTitle())
				}
			}},
		{name: "document without a name", msg: app.OutboundMessage{Type: domain.TypeDocument, Mime: "text/plain"}, up: upload, kind: "document",
			extra: func(t *testing.T, got *waE2E.Message) {
				if d := got.GetDocumentMessage(); d.GetFileName() != "document" || d.GetTitle() != "document" {
					t.Errorf("file name %q, title %q", d.GetFileName(), d.GetTitle())
				}
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := BuildMessage(tt.msg, tt.up)
			if err != nil {
				t.Fatal(err)
			}
			set := map[string]bool{
				"conversation": got.Conversation != nil, "image": got.ImageMessage != nil, "audio": got.AudioMessage != nil,
				"video": got.VideoMessage != nil, "document": got.DocumentMessage != nil, "sticker": got.StickerMessage != nil,
			}
			for kind, isSet := range set {
				if isSet != (kind == tt.kind) {
					t.Errorf("%s set = %v", kind, isSet)
				}
			}
			if tt.kind != "conversation" {
				md, _ := mediaOf(got)
				if md.url != upload.URL || md.directPath != upload.DirectPath {
					t.Errorf("url %q, direct path %q", md.url, md.directPath)
				}
				if !bytes.Equal(md.mediaKey, upload.MediaKey) || !bytes.Equal(md.encSHA, upload.FileEncSHA256) || !bytes.Equal(md.sha, upload.FileSHA256) {
					t.Errorf("media key %q, enc sha %q, sha %q", md.mediaKey, md.encSHA, md.sha)
				}
				if md.length != upload.FileLength {
					t.Errorf("length = %d", md.length)
				}
				if md.mime != tt.msg.Mime && !tt.msg.PTT { // a voice note names its codec
					t.Errorf("mime = %q, want %q", md.mime, tt.msg.Mime)
				}
				// Audio never carries one; elsewhere an empty caption is unset.
				wantCaption := tt.msg.Caption != "" && tt.kind != "audio" && tt.kind != "sticker"
				if md.hasCaption != wantCaption || (wantCaption && md.caption != tt.msg.Caption) {
					t.Errorf("caption %q (set %v), want %q", md.caption, md.hasCaption, tt.msg.Caption)
				}
			}
			if tt.extra != nil {
				tt.extra(t, got)
			}
		})
	}
}

func TestBuildMessageRefuses(t *testing.T) {
	if _, err := BuildMessage(app.OutboundMessage{Type: domain.TypeImage, Mime: "image/png"}, nil); err == nil {
		t.Error("media built without an upload")
	}
	if _, err := BuildMessage(app.OutboundMessage{Type: domain.TypeSticker, Mime: "image/webp"}, nil); err == nil {
		t.Error("sticker built without an upload")
	}
	// Kinds without their data (a bug upstream) are refused for good.
	for _, typ := range []domain.MessageType{domain.TypeLocation, domain.TypeContact, domain.TypePoll, "bogus"} {
		if _, err := BuildMessage(app.OutboundMessage{Type: typ}, upload); !errors.Is(err, app.ErrPermanent) {
			t.Errorf("%s: err = %v, want permanent", typ, err)
		}
	}
}

func TestParseRecipient(t *testing.T) {
	tests := []struct {
		to     string
		user   string // "" when refused
		server string
	}{
		{"5511999998888", "5511999998888", types.DefaultUserServer},
		{"+5511999998888", "5511999998888", types.DefaultUserServer},
		{"14155550100", "14155550100", types.DefaultUserServer},
		{"5511999998888@s.whatsapp.net", "5511999998888", types.DefaultUserServer},
		{"123456789012345@lid", "123456789012345", types.HiddenUserServer},
		{"120363000000000000@g.us", "120363000000000000", types.GroupServer},
		{"5511999998888-1614000000@g.us", "5511999998888-1614000000", types.GroupServer},
		{"", "", ""},
		{"12", "", ""},
		{"1234567890123456", "", ""},
		{"55 11 99999 8888", "", ""},
		{"5511999998888:3@s.whatsapp.net", "", ""},
		{"abc@lid", "", ""},
		{"status@broadcast", "", ""},
	}
	for _, tt := range tests {
		jid, err := ParseRecipient(tt.to)
		if tt.user == "" {
			if !errors.Is(err, app.ErrPermanent) {
				t.Errorf("%q: err = %v, want permanent", tt.to, err)
			}
			continue
		}
		if err != nil || jid.User != tt.user || jid.Server != tt.server || jid.Device != 0 {
			t.Errorf("%q: %v %v, want %s@%s", tt.to, jid, err, tt.user, tt.server)
		}
		// The JID whatsmeow sends to is the address zapgate stored.
		if a, _ := domain.ParseAddress(tt.to); jid.String() != a.JID() {
			t.Errorf("%q: JID %q, address %q", tt.to, jid.String(), a.JID())
		}
	}
}

func TestMediaTypeFor(t *testing.T) {
	for typ, want := range map[domain.MessageType]whatsmeow.MediaType{
		domain.TypeImage: whatsmeow.MediaImage, domain.TypeAudio: whatsmeow.MediaAudio,
		domain.TypeVideo: whatsmeow.MediaVideo, domain.TypeDocument: whatsmeow.MediaDocument,
		domain.TypeSticker: whatsmeow.MediaImage,
	} {
		if got := MediaTypeFor(typ); got != want {
			t.Errorf("%s → %v, want %v", typ, got, want)
		}
	}
}

func TestTypingTime(t *testing.T) {
	if typingTime(0) != 300*time.Millisecond || typingTime(10) != 700*time.Millisecond || typingTime(10000) != 3*time.Second {
		t.Fatalf("typing times %v %v %v", typingTime(0), typingTime(10), typingTime(10000))
	}
}

func TestBuildMessageMentions(t *testing.T) {
	jids := []string{"5511999998888@s.whatsapp.net", "77@lid"}
	tests := []struct {
		name    string
		msg     app.OutboundMessage
		up      *whatsmeow.UploadResponse
		context func(*waE2E.Message) *waE2E.ContextInfo
	}{
		{"text becomes an extended text", app.OutboundMessage{Type: domain.TypeText, Text: "hi @5511999998888"}, nil,
			func(m *waE2E.Message) *waE2E.ContextInfo {
				if m.Conversation != nil || m.GetExtendedTextMessage().GetText() != "hi @5511999998888" {
					t.Errorf("text not an extended text: %v", m)
				}
				return m.GetExtendedTextMessage().GetContextInfo()
			}},
		{"image caption", app.OutboundMessage{Type: domain.TypeImage, Mime: "image/png", Caption: "@77"}, upload,
			func(m *waE2E.Message) *waE2E.ContextInfo { return m.GetImageMessage().GetContextInfo() }},
		{"video caption", app.OutboundMessage{Type: domain.TypeVideo, Mime: "video/mp4", Caption: "@77"}, upload,
			func(m *waE2E.Message) *waE2E.ContextInfo { return m.GetVideoMessage().GetContextInfo() }},
		{"document caption", app.OutboundMessage{Type: domain.TypeDocument, Mime: "application/pdf", Caption: "@77"}, upload,
			func(m *waE2E.Message) *waE2E.ContextInfo { return m.GetDocumentMessage().GetContextInfo() }},
		{"audio", app.OutboundMessage{Type: domain.TypeAudio, Mime: "audio/ogg"}, upload,
			func(m *waE2E.Message) *waE2E.ContextInfo { return m.GetAudioMessage().GetContextInfo() }},
		{"sticker", app.OutboundMessage{Type: domain.TypeSticker, Mime: "image/webp"}, upload,
			func(m *waE2E.Message) *waE2E.ContextInfo { return m.GetStickerMessage().GetContextInfo() }},
		{"location", app.OutboundMessage{Type: domain.TypeLocation, Location: &domain.Location{Latitude: 1, Longitude: 2}}, nil,
			func(m *waE2E.Message) *waE2E.ContextInfo { return m.GetLocationMessage().GetContextInfo() }},
		{"contact", app.OutboundMessage{Type: domain.TypeContact, Contacts: []domain.ContactCard{{Name: "Ana", Phones: []string{"5511988887777"}}}}, nil,
			func(m *waE2E.Message) *waE2E.ContextInfo { return m.GetContactMessage().GetContextInfo() }},
		{"contacts", app.OutboundMessage{Type: domain.TypeContact, Contacts: []domain.ContactCard{{Name: "A", Phones: []string{"5511988887777"}}, {Name: "B", Phones: []string{"5511988887776"}}}}, nil,
			func(m *waE2E.Message) *waE2E.ContextInfo { return m.GetContactsArrayMessage().GetContextInfo() }},
		{"poll", app.OutboundMessage{Type: domain.TypePoll, Poll: &domain.Poll{Question: "q", Options: []domain.PollOption{{Name: "a"}, {Name: "b"}}}}, nil,
			func(m *waE2E.Message) *waE2E.ContextInfo { return m.GetPollCreationMessage().GetContextInfo() }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.msg.Mentions = jids
			got, err := BuildMessage(tt.msg, tt.up)
			if err != nil {
				t.Fatal(err)
			}
			ci := tt.context(got)
			if m := ci.GetMentionedJID(); len(m) != 2 || m[0] != jids[0] || m[1] != jids[1] {
				t.Errorf("mentioned %v, want %v", m, jids)
			}
			// Without mentions, no context is sent.
			tt.msg.Mentions = nil
			plain, err := BuildMessage(tt.msg, tt.up)
			if err != nil {
				t.Fatal(err)
			}
			if tt.msg.Type != domain.TypeText && tt.context(plain) != nil {
				t.Error("a context without mentions")
			}
		})
	}
}

// twoSecondOpus is an Ogg/Opus stream whose last page ends two seconds
// (96000 samples at 48 kHz) after the 312-sample pre-skip.
func twoSecondOpus() []byte {
	page := func(granule uint64, payload string) []byte {
		h := []byte("OggS\x00\x00")
		h = binary.LittleEndian.AppendUint64(h, granule)
		h = append(h, make([]byte, 12)...)
		h = append(h, 1, byte(len(payload)))
		return append(h, payload...)
	}
	head := "OpusHead\x01\x01\x38\x01\x80\xbb\x00\x00\x00\x00\x00"
	return append(page(0, head), page(312+96000, "audio")...)
}
