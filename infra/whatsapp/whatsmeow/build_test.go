package whatsmeow

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"go.mau.fi/whatsmeow"
	"go.mau.fi/whatsmeow/types"

	"github.com/zapgate/zapgate/app"
	"github.com/zapgate/zapgate/domain"
)

var upload = &whatsmeow.UploadResponse{URL: "https://mmg.whatsapp.net/x", DirectPath: "/v/t62/x", MediaKey: []byte("key"),
	FileEncSHA256: []byte("enc"), FileSHA256: []byte("sha"), FileLength: 1234}

func TestBuildMessage(t *testing.T) {
	tests := []struct {
		name  string
		msg   app.OutboundMessage
		check func(t *testing.T, m app.OutboundMessage)
	}{
		{"text", app.OutboundMessage{Type: domain.TypeText, Text: "hello"}, func(t *testing.T, m app.OutboundMessage) {
			got, err := BuildMessage(m, nil)
			if err != nil || got.GetConversation() != "hello" {
				t.Fatalf("%v %v", got, err)
			}
		}},
		{"image", app.OutboundMessage{Type: domain.TypeImage, Mime: "image/png", Caption: "menu"}, func(t *testing.T, m app.OutboundMessage) {
			got, _ := BuildMessage(m, upload)
			im := got.GetImageMessage()
			if im.GetMimetype() != "image/png" || im.GetCaption() != "menu" || im.GetURL() != upload.URL || im.GetDirectPath() != upload.DirectPath ||
				string(im.GetMediaKey()) != "key" || string(im.GetFileSHA256()) != "sha" || string(im.GetFileEncSHA256()) != "enc" || im.GetFileLength() != 1234 {
				t.Fatalf("%v", im)
			}
		}},
		{"voice note", app.OutboundMessage{Type: domain.TypeAudio, Mime: "audio/ogg"}, func(t *testing.T, m app.OutboundMessage) {
			got, _ := BuildMessage(m, upload)
			if a := got.GetAudioMessage(); !a.GetPTT() || a.GetMimetype() != "audio/ogg" || a.GetFileLength() != 1234 {
				t.Fatalf("%v", a)
			}
		}},
		{"mp3 is not a voice note", app.OutboundMessage{Type: domain.TypeAudio, Mime: "audio/mpeg"}, func(t *testing.T, m app.OutboundMessage) {
			got, _ := BuildMessage(m, upload)
			if got.GetAudioMessage().GetPTT() {
				t.Fatal("mp3 sent as a voice note")
			}
		}},
		{"video", app.OutboundMessage{Type: domain.TypeVideo, Mime: "video/mp4", Caption: "clip"}, func(t *testing.T, m app.OutboundMessage) {
			got, _ := BuildMessage(m, upload)
			if v := got.GetVideoMessage(); v.GetCaption() != "clip" || v.GetMimetype() != "video/mp4" || string(v.GetFileSHA256()) != "sha" {
				t.Fatalf("%v", v)
			}
		}},
		{"document", app.OutboundMessage{Type: domain.TypeDocument, Mime: "application/pdf", Filename: "invoice.pdf", Caption: "c"}, func(t *testing.T, m app.OutboundMessage) {
			got, _ := BuildMessage(m, upload)
			if d := got.GetDocumentMessage(); d.GetFileName() != "invoice.pdf" || d.GetTitle() != "invoice.pdf" || d.GetCaption() != "c" || d.GetMimetype() != "application/pdf" {
				t.Fatalf("%v", d)
			}
		}},
		{"media without an upload", app.OutboundMessage{Type: domain.TypeImage}, func(t *testing.T, m app.OutboundMessage) {
			if _, err := BuildMessage(m, nil); err == nil {
				t.Fatal("built")
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { tt.check(t, tt.msg) })
	}
}

func TestRecipientAndMediaType(t *testing.T) {
	jid, err := ParseRecipient("+5511999998888")
	if err != nil || jid.User != "5511999998888" || jid.Server != types.DefaultUserServer {
		t.Fatalf("%v %v", jid, err)
	}
	if _, err := ParseRecipient("12"); !errors.Is(err, app.ErrPermanent) {
		t.Fatalf("bad recipient: %v", err)
	}
	for typ, want := range map[domain.MessageType]whatsmeow.MediaType{
		domain.TypeImage: whatsmeow.MediaImage, domain.TypeAudio: whatsmeow.MediaAudio,
		domain.TypeVideo: whatsmeow.MediaVideo, domain.TypeDocument: whatsmeow.MediaDocument,
	} {
		if got := MediaTypeFor(typ); got != want {
			t.Errorf("%s → %v", typ, got)
		}
	}
}

func TestClassify(t *testing.T) {
	tests := []struct {
		err  error
		want error
	}{
		{whatsmeow.ErrNotConnected, app.ErrNotConnected},
		{fmt.Errorf("wrapped: %w", whatsmeow.ErrNotLoggedIn), app.ErrNotConnected},
		{whatsmeow.ErrIQBadRequest, app.ErrPermanent},
		{whatsmeow.ErrIQForbidden, app.ErrPermanent},
		{whatsmeow.ErrServerReturnedError, app.ErrPermanent},
		{whatsmeow.ErrIQTimedOut, nil},
		{errors.New("network blip"), nil},
	}
	for _, tt := range tests {
		got := classify(tt.err)
		if tt.want == nil {
			if errors.Is(got, app.ErrPermanent) || errors.Is(got, app.ErrNotConnected) {
				t.Errorf("%v classified as %v, want transient", tt.err, got)
			}
			continue
		}
		if !errors.Is(got, tt.want) {
			t.Errorf("%v classified as %v, want %v", tt.err, got, tt.want)
		}
	}
	if classify(nil) != nil {
		t.Error("nil")
	}
}

func TestTypingTime(t *testing.T) {
	if typingTime(0) != 300*time.Millisecond || typingTime(10) != 700*time.Millisecond || typingTime(10000) != 3*time.Second {
		t.Fatalf("typing times %v %v %v", typingTime(0), typingTime(10), typingTime(10000))
	}
}
