package domain

import (
	"errors"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestParseAddress(t *testing.T) {
	tests := []struct {
		in                string
		ok                bool
		kind              AddressKind
		jid, phone, str   string
		isGroup, isLIDVal bool
	}{
		{in: "5511999998888", ok: true, kind: AddressPhone, jid: "5511999998888@s.whatsapp.net", phone: "5511999998888", str: "5511999998888"},
		{in: "+5511999998888", ok: true, kind: AddressPhone, jid: "5511999998888@s.whatsapp.net", phone: "5511999998888", str: "5511999998888"},
		{in: "5511999998888@s.whatsapp.net", ok: true, kind: AddressPhone, jid: "5511999998888@s.whatsapp.net", phone: "5511999998888", str: "5511999998888"},
		{in: "123456789012345@lid", ok: true, kind: AddressLID, jid: "123456789012345@lid", str: "123456789012345@lid", isLIDVal: true},
		{in: "7@lid", ok: true, kind: AddressLID, jid: "7@lid", str: "7@lid", isLIDVal: true},
		{in: "120363025246125244@g.us", ok: true, kind: AddressGroup, jid: "120363025246125244@g.us", str: "120363025246125244@g.us", isGroup: true},
		{in: "5511999998888-1614000000@g.us", ok: true, kind: AddressGroup, jid: "5511999998888-1614000000@g.us", str: "5511999998888-1614000000@g.us", isGroup: true},

		{in: ""},
		{in: "1234567"},
		{in: "1234567890123456"},
		{in: "55 11 99999 8888"},
		{in: "+5511999998888@s.whatsapp.net"},
		{in: "1234567@s.whatsapp.net"},
		{in: "5511999998888:12@s.whatsapp.net"}, // a device, not a person
		{in: "abc@s.whatsapp.net"},
		{in: "@lid"},
		{in: "12a@lid"},
		{in: "12.1@lid"},
		{in: strings.Repeat("1", 65) + "@lid"},
		{in: "@g.us"},
		{in: "-1@g.us"},
		{in: "1-@g.us"},
		{in: "1-2-3@g.us"},
		{in: "abc@g.us"},
		{in: "120363025246125244@newsletter"},
		{in: "status@broadcast"},
		{in: "5511999998888@S.WHATSAPP.NET"},
		{in: "5511999998888@s.whatsapp.net\x00"},
		{in: "1@lid@lid"},
		{in: "５５１１９９９９９８８８８@s.whatsapp.net"},
	}
	for _, tt := range tests {
		a, ok := ParseAddress(tt.in)
		if ok != tt.ok {
			t.Errorf("ParseAddress(%q) ok = %v, want %v", tt.in, ok, tt.ok)
			continue
		}
		if !ok {
			if !a.IsZero() {
				t.Errorf("ParseAddress(%q) refused but returned %#v", tt.in, a)
			}
			continue
		}
		if a.Kind() != tt.kind || a.JID() != tt.jid || a.Phone() != tt.phone || a.String() != tt.str ||
			a.IsGroup() != tt.isGroup || a.IsLID() != tt.isLIDVal {
			t.Errorf("ParseAddress(%q) = kind %q jid %q phone %q string %q group %v lid %v; want %q %q %q %q %v %v",
				tt.in, a.Kind(), a.JID(), a.Phone(), a.String(), a.IsGroup(), a.IsLID(),
				tt.kind, tt.jid, tt.phone, tt.str, tt.isGroup, tt.isLIDVal)
		}
	}
}

func FuzzParseAddress(f *testing.F) {
	for _, s := range []string{"5511999998888", "+5511999998888", "5511999998888@s.whatsapp.net", "1@lid",
		"120363025246125244@g.us", "1-2@g.us", "x@g.us", "@", "\x00@lid", "\xff@lid"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		a, ok := ParseAddress(s)
		if !ok {
			return
		}
		for _, out := range []string{a.JID(), a.String()} {
			if strings.ContainsRune(out, 0) || !utf8.ValidString(out) {
				t.Fatalf("ParseAddress(%q) gives %q: NUL or invalid UTF-8", s, out)
			}
			b, ok := ParseAddress(out)
			if !ok || b != a {
				t.Fatalf("ParseAddress(%q) = %#v; its %q parses to %#v, %v", s, a, out, b, ok)
			}
		}
	})
}

// Messages and send hooks store `to` as the phone when there is one, else
// the JID, and a message knows its chat.
func TestAddressedMessages(t *testing.T) {
	tests := []struct {
		to            string
		wantTo, chat  string
		group, refuse bool
	}{
		{to: "+5511999998888", wantTo: "5511999998888", chat: "5511999998888@s.whatsapp.net"},
		{to: "5511999998888@s.whatsapp.net", wantTo: "5511999998888", chat: "5511999998888@s.whatsapp.net"},
		{to: "123456789012345@lid", wantTo: "123456789012345@lid", chat: "123456789012345@lid"},
		{to: "120363025246125244@g.us", wantTo: "120363025246125244@g.us", chat: "120363025246125244@g.us", group: true},
		{to: "120363025246125244@broadcast", refuse: true},
		{to: "hello", refuse: true},
	}
	for _, tt := range tests {
		m, err := NewOutgoing(OutgoingDraft{To: tt.to, Type: "text", Text: "hi"}, now)
		h, _, herr := NewSendHook("inst", "ci", tt.to, "", now)
		if tt.refuse {
			var de, he *Error
			if !errors.As(err, &de) || de.Fields["to"] != AddressRule || !errors.As(herr, &he) || he.Fields["to"] != AddressRule {
				t.Errorf("%q: message err %v, hook err %v; want %q on to", tt.to, err, herr, AddressRule)
			}
			continue
		}
		if err != nil || herr != nil {
			t.Fatalf("%q: %v %v", tt.to, err, herr)
		}
		if m.To != tt.wantTo || m.Chat != tt.chat || m.IsGroup != tt.group || h.To != tt.wantTo {
			t.Errorf("%q: message to %q chat %q group %v, hook to %q; want %q %q %v", tt.to, m.To, m.Chat, m.IsGroup, h.To, tt.wantTo, tt.chat, tt.group)
		}
		// The same recipient written two ways is the same request.
		a, _ := ParseAddress(tt.to)
		if (OutgoingDraft{To: tt.to, Type: "text", Text: "hi"}).Fingerprint() != (OutgoingDraft{To: a.JID(), Type: "text", Text: "hi"}).Fingerprint() {
			t.Errorf("%q and %q fingerprint differently", tt.to, a.JID())
		}
	}
}

func TestIncomingChat(t *testing.T) {
	tests := []struct {
		name string
		d    IncomingDraft
		chat string
	}{
		{"phone", IncomingDraft{From: "5511999998888"}, "5511999998888@s.whatsapp.net"},
		{"lid", IncomingDraft{From: "123456789@lid"}, "123456789@lid"},
		{"given", IncomingDraft{From: "5511999998888", Chat: "5511999998888@s.whatsapp.net"}, "5511999998888@s.whatsapp.net"},
		{"group", IncomingDraft{From: "5511999998888", IsGroup: true, Chat: "1@g.us", Participant: "5511999998888@s.whatsapp.net"}, "1@g.us"},
	}
	for _, tt := range tests {
		tt.d.WAMessageID, tt.d.Type = "W1", TypeText
		m, err := NewIncoming(tt.d, now)
		if err != nil || m.Chat != tt.chat || m.Participant != tt.d.Participant {
			t.Errorf("%s: %+v %v; want chat %q", tt.name, m, err, tt.chat)
		}
	}
}
