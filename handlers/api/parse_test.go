package api

import (
	"encoding/base64"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/zapgate/zapgate/domain"
)

func TestParseSendMessage(t *testing.T) {
	png := base64.StdEncoding.EncodeToString([]byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR0123456789"))
	tests := []struct {
		name     string
		body     string
		wantKind domain.Kind
		wantCode string
	}{
		{"text", `{"to":"5511999998888","type":"text","text":"hi"}`, 0, ""},
		{"media data url", `{"to":"5511999998888","type":"image","media":{"data":"data:image/png;base64,` + png + `"}}`, 0, ""},
		{"send_at", `{"to":"5511999998888","type":"text","text":"x","send_at":"2026-12-01T12:00:00Z"}`, 0, ""},
		{"empty", ``, domain.KindInvalid, "invalid_json"},
		{"not json", `{"to":`, domain.KindInvalid, "invalid_json"},
		{"wrong type", `{"to":["a"]}`, domain.KindInvalid, "invalid_request"},
		{"bad time", `{"send_at":"tomorrow"}`, domain.KindInvalid, "invalid_request"},
		{"bad media", `{"type":"image","media":{"data":"***"}}`, domain.KindInvalid, "invalid_request"},
		{"null media", `{"to":"5511999998888","type":"text","text":"x","media":null}`, 0, ""},
		{"deep nesting", strings.Repeat(`{"a":`, 20000) + `1` + strings.Repeat(`}`, 20000), domain.KindInvalid, "invalid_json"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := parseSendMessage([]byte(tt.body))
			if tt.wantKind == 0 {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			de, ok := err.(*domain.Error)
			if !ok || de.Kind != tt.wantKind || de.Code != tt.wantCode {
				t.Fatalf("err = %v, want %s", err, tt.wantCode)
			}
		})
	}
}

// FuzzParseSendMessage: whatever the body, the parser and the domain rules
// answer with a client error or a valid message, never a panic or an
// internal error; a message they accept is one Postgres can store (no NUL,
// valid UTF-8), so storing it cannot fail into a 500.
func FuzzParseSendMessage(f *testing.F) {
	seeds := []string{
		`{"to":"5511999998888","type":"text","text":"hi"}`,
		`{"to":"+5511999998888","type":"image","caption":"c","media":{"data":"iVBORw0KGgo=","mime":"image/png","filename":"a.png"}}`,
		`{"to":"5511999998888","type":"document","media":{"data":"data:application/pdf;base64,JVBERi0xLjcK"}}`,
		`{"send_at":"2026-12-01T12:00:00Z"}`, `null`, `[]`, `{"to":1}`, "{\"text\":\"\xff\"}", `{"media":{}}`,
		`{"to":"5511999998888","type":"text","text":"a\u0000b"}`,
		`{"to":"5511999998888","type":"image","caption":"\u0000","media":{"data":"iVBORw0KGgo=","filename":"a\u0000.png"}}`,
	}
	for _, s := range seeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		cmd, err := parseSendMessage(body)
		if err != nil {
			if domain.KindOf(err) != domain.KindInvalid && domain.KindOf(err) != domain.KindTooLarge {
				t.Fatalf("non-client error %v", err)
			}
			return
		}
		d := domain.OutgoingDraft{InstanceID: "i", To: cmd.To, Type: cmd.Type, Text: cmd.Text, Caption: cmd.Caption, SendAt: cmd.SendAt}
		if cmd.Media != nil {
			if _, err := domain.ResolveMime(domain.TypeDocument, cmd.Media.Mime, cmd.Media.Data); err != nil && domain.KindOf(err) != domain.KindInvalid {
				t.Fatalf("mime: %v", err)
			}
			d.Media = &domain.Media{Key: "k", Mime: "application/octet-stream", Filename: cmd.Media.Filename, Size: int64(len(cmd.Media.Data))}
		}
		m, err := domain.NewOutgoing(d, testNow)
		if err != nil {
			if domain.KindOf(err) != domain.KindInvalid {
				t.Fatalf("validation: %v", err)
			}
			return
		}
		texts := []string{m.To, m.Text, m.Caption, m.IdempotencyKey}
		if m.Media != nil {
			texts = append(texts, m.Media.Filename, m.Media.Mime)
		}
		for _, s := range texts {
			if strings.IndexByte(s, 0) >= 0 || !utf8.ValidString(s) {
				t.Fatalf("accepted %q, which Postgres cannot store as text", s)
			}
		}
	})
}

var testNow = mustTime("2026-11-23T12:00:00Z")

func mustTime(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}
