package domain

import (
	"encoding/json"
	"testing"
	"time"
)

func TestTextProblem(t *testing.T) {
	tests := []struct {
		name, s, want string
	}{
		{"plain", "olá, mundo 👍", ""},
		{"empty", "", ""},
		{"NUL", "a\x00b", RuleNoNUL},
		{"only NUL", "\x00", RuleNoNUL},
		{"invalid UTF-8", "a\xffb", RuleUTF8},
		{"both", "\x00\xff", RuleUTF8},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := TextProblem(tt.s); got != tt.want {
				t.Fatalf("TextProblem(%q) = %q, want %q", tt.s, got, tt.want)
			}
		})
	}
}

func TestCleanText(t *testing.T) {
	tests := []struct{ in, want string }{
		{"hello", "hello"},
		{"hel\x00lo", "hello"},
		{"\x00\x00", ""},
		{"a\xffb", "a\uFFFDb"},
		{"\xff\x00", "\uFFFD"},
	}
	for _, tt := range tests {
		if got := CleanText(tt.in); got != tt.want || TextProblem(got) != "" {
			t.Errorf("CleanText(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestCleanJSON(t *testing.T) {
	tests := []struct {
		name string
		in   any
		want string
	}{
		{"no NUL", map[string]string{"name": "Store"}, `{"name":"Store"}`},
		{"NUL in a value", map[string]string{"name": "St\x00ore"}, `{"name":"Store"}`},
		{"NUL in a key", map[string]string{"n\x00ame": "x"}, `{"name":"x"}`},
		{"escaped backslash before u0000 is text", map[string]string{"p": `C:\u0000`}, `{"p":"C:\\u0000"}`},
		{"backslash then NUL", map[string]string{"p": "\\\x00"}, `{"p":"\\"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := json.Marshal(tt.in)
			if err != nil {
				t.Fatal(err)
			}
			if got := string(CleanJSON(b)); got != tt.want {
				t.Fatalf("CleanJSON(%s) = %s, want %s", b, got, tt.want)
			}
		})
	}
}

// TestConstructorsRefuseUnstorableText: every constructor of something a
// client names refuses NUL and invalid UTF-8, naming the field, so nothing
// reaches Postgres to fail there as a 500.
func TestConstructorsRefuseUnstorableText(t *testing.T) {
	now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	out := func(d OutgoingDraft) error {
		if d.To == "" {
			d.To = "5511999998888"
		}
		if d.Type == "" {
			d.Type = "text"
		}
		if d.Type == "text" && d.Text == "" {
			d.Text = "hi"
		}
		_, err := NewOutgoing(d, now)
		return err
	}
	tests := []struct {
		name, field string
		err         error
	}{
		{"message text", "text", out(OutgoingDraft{Text: "a\x00b"})},
		{"message text UTF-8", "text", out(OutgoingDraft{Text: "a\xffb"})},
		{"message caption", "caption", out(OutgoingDraft{Type: "image", Caption: "\x00", Media: &Media{Key: "k"}})},
		{"message file name", "media.filename", out(OutgoingDraft{Type: "document", Media: &Media{Key: "k", Filename: "a\x00"}})},
		{"message Idempotency-Key", "Idempotency-Key", out(OutgoingDraft{IdempotencyKey: "k\x00"})},
		{"instance name", "name", func() error { _, _, err := NewInstance("a\x00", now); return err }()},
		{"instance rename", "name", (&Instance{}).Rename("a\xff")},
		{"send hook name", "name", func() error { _, _, err := NewSendHook("i", "a\x00", "", "", now); return err }()},
		{"attendant name", "name", func() error { _, err := NewAttendant("A\x00", "a@example.com", "", now); return err }()},
		{"attendant email", "email", func() error { _, err := NewAttendant("A", "a\x00@example.com", "", now); return err }()},
		{"password", "password", ValidPassword("secret\x00pass")},
		{"feedback comment", "comment", func() error { _, err := NewFeedback("a", 5, "ok\x00", now); return err }()},
		{"webhook url", "url", func() error { _, err := NewWebhook("i", "http://x/\x00", nil, now); return err }()},
		{"incoming wa_message_id", "wa_message_id", func() error {
			_, err := NewIncoming(IncomingDraft{WAMessageID: "W\x00", From: "5511999998888", Type: TypeText}, now)
			return err
		}()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			de, ok := tt.err.(*Error)
			if !ok || de.Kind != KindInvalid || de.Fields[tt.field] == "" {
				t.Fatalf("err = %v, want invalid %s", tt.err, tt.field)
			}
		})
	}
}

// TestIncomingTextIsCleaned: what WhatsApp delivers is stored, without NUL
// and with invalid UTF-8 repaired, extra JSON included.
func TestIncomingTextIsCleaned(t *testing.T) {
	m, err := NewIncoming(IncomingDraft{WAMessageID: "W1", From: "5511999998888", Type: TypeDocument,
		Text: "hel\x00lo", Caption: "c\x00v\xff", PushName: "A\x00na", Media: &Media{Key: "k", Filename: "cv\x00.pdf", Mime: "application/pdf"},
		Extra: map[string]string{"na\x00me": "St\x00ore"}}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if m.Text != "hello" || m.Caption != "cv\uFFFD" || m.PushName != "Ana" || m.Media.Filename != "cv.pdf" || string(m.Extra) != `{"name":"Store"}` {
		t.Fatalf("stored %q %q %q %q %s", m.Text, m.Caption, m.PushName, m.Media.Filename, m.Extra)
	}
}
