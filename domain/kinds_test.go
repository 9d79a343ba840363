package domain

import (
	"crypto/sha256"
	"errors"
	"math"
	"reflect"
	"strings"
	"testing"
)

func ptr(f float64) *float64 { return &f }

func TestNewOutgoingKinds(t *testing.T) {
	webp := &Media{Key: "media/ab/abc", Mime: "image/webp", Size: 10, SHA256: "abc"}
	png := &Media{Key: "media/ab/abd", Mime: "image/png", Size: 10, SHA256: "abd"}
	loc := func(lat, lon float64) *LocationDraft { return &LocationDraft{Latitude: ptr(lat), Longitude: ptr(lon)} }
	ana := ContactCard{Name: "Ana", Phones: []string{"+5511988887777"}}
	poll := func(sel int, opts ...string) *PollDraft {
		return &PollDraft{Question: "Lunch?", Options: opts, Selectable: sel}
	}
	many := func(n int) []string {
		out := make([]string, n)
		for i := range out {
			out[i] = strings.Repeat("o", i+1)
		}
		return out
	}
	to := "5511999998888"
	tests := []struct {
		name       string
		draft      OutgoingDraft
		wantFields []string
	}{
		{"sticker", OutgoingDraft{To: to, Type: "sticker", Media: webp}, nil},
		{"sticker not webp", OutgoingDraft{To: to, Type: "sticker", Media: png}, []string{"media"}},
		{"sticker without file", OutgoingDraft{To: to, Type: "sticker"}, []string{"media"}},
		{"sticker with caption", OutgoingDraft{To: to, Type: "sticker", Media: webp, Caption: "x"}, []string{"caption"}},

		{"location", OutgoingDraft{To: to, Type: "location", Location: &LocationDraft{Latitude: ptr(-23.5505), Longitude: ptr(-46.6333), Name: "Store", Address: "Av. Paulista 1000"}}, nil},
		{"location at 0,0", OutgoingDraft{To: to, Type: "location", Location: loc(0, 0)}, nil},
		{"location at the edges", OutgoingDraft{To: to, Type: "location", Location: loc(-90, 180)}, nil},
		{"location missing", OutgoingDraft{To: to, Type: "location"}, []string{"location"}},
		{"latitude missing", OutgoingDraft{To: to, Type: "location", Location: &LocationDraft{Longitude: ptr(1)}}, []string{"location.latitude"}},
		{"longitude missing", OutgoingDraft{To: to, Type: "location", Location: &LocationDraft{Latitude: ptr(1)}}, []string{"location.longitude"}},
		{"latitude out of range", OutgoingDraft{To: to, Type: "location", Location: loc(90.0001, 0)}, []string{"location.latitude"}},
		{"longitude out of range", OutgoingDraft{To: to, Type: "location", Location: loc(0, -180.5)}, []string{"location.longitude"}},
		{"latitude NaN", OutgoingDraft{To: to, Type: "location", Location: loc(math.NaN(), 0)}, []string{"location.latitude"}},
		{"location name too long", OutgoingDraft{To: to, Type: "location", Location: &LocationDraft{Latitude: ptr(1), Longitude: ptr(1), Name: strings.Repeat("x", MaxPlaceRunes+1)}}, []string{"location.name"}},
		{"location address with NUL", OutgoingDraft{To: to, Type: "location", Location: &LocationDraft{Latitude: ptr(1), Longitude: ptr(1), Address: "a\x00b"}}, []string{"location.address"}},
		{"location on a text", OutgoingDraft{To: to, Type: "text", Text: "hi", Location: loc(1, 1)}, []string{"location"}},
		{"text on a location", OutgoingDraft{To: to, Type: "location", Location: loc(1, 1), Text: "hi"}, []string{"text"}},
		{"caption on a location", OutgoingDraft{To: to, Type: "location", Location: loc(1, 1), Caption: "hi"}, []string{"caption"}},
		{"media on a location", OutgoingDraft{To: to, Type: "location", Location: loc(1, 1), Media: png}, []string{"media"}},

		{"contact", OutgoingDraft{To: to, Type: "contact", Contacts: []ContactCard{{Name: "Ana Souza", Phones: []string{"5511988887777", "5511977776666"}, Organization: "ACME", Email: "ana@example.com"}}}, nil},
		{"ten contacts", OutgoingDraft{To: to, Type: "contact", Contacts: []ContactCard{ana, ana, ana, ana, ana, ana, ana, ana, ana, ana}}, nil},
		{"eleven contacts", OutgoingDraft{To: to, Type: "contact", Contacts: []ContactCard{ana, ana, ana, ana, ana, ana, ana, ana, ana, ana, ana}}, []string{"contacts"}},
		{"no contacts", OutgoingDraft{To: to, Type: "contact", Contacts: []ContactCard{}}, []string{"contacts"}},
		{"contacts missing", OutgoingDraft{To: to, Type: "contact"}, []string{"contacts"}},
		{"contact without name", OutgoingDraft{To: to, Type: "contact", Contacts: []ContactCard{ana, {Name: " ", Phones: []string{"5511988887777"}}}}, []string{"contacts[1].name"}},
		{"contact without phone", OutgoingDraft{To: to, Type: "contact", Contacts: []ContactCard{{Name: "Ana"}}}, []string{"contacts[0].phones"}},
		{"contact with a bad phone", OutgoingDraft{To: to, Type: "contact", Contacts: []ContactCard{{Name: "Ana", Phones: []string{"12"}}}}, []string{"contacts[0].phones"}},
		{"contact with NUL", OutgoingDraft{To: to, Type: "contact", Contacts: []ContactCard{{Name: "A\x00na", Phones: []string{"5511988887777"}}}}, []string{"contacts[0].name"}},
		{"contact with a bad email", OutgoingDraft{To: to, Type: "contact", Contacts: []ContactCard{{Name: "Ana", Phones: []string{"5511988887777"}, Email: "nope"}}}, []string{"contacts[0].email"}},
		{"contact organization too long", OutgoingDraft{To: to, Type: "contact", Contacts: []ContactCard{{Name: "Ana", Phones: []string{"5511988887777"}, Organization: strings.Repeat("x", 257)}}}, []string{"contacts[0].organization"}},
		{"contacts on a text", OutgoingDraft{To: to, Type: "text", Text: "hi", Contacts: []ContactCard{ana}}, []string{"contacts"}},

		{"poll", OutgoingDraft{To: to, Type: "poll", Poll: poll(1, "pizza", "sushi")}, nil},
		{"poll any number", OutgoingDraft{To: to, Type: "poll", Poll: poll(0, "pizza", "sushi", "salad")}, nil},
		{"poll all selectable", OutgoingDraft{To: to, Type: "poll", Poll: poll(3, "pizza", "sushi", "salad")}, nil},
		{"poll twelve options", OutgoingDraft{To: to, Type: "poll", Poll: poll(1, many(12)...)}, nil},
		{"poll thirteen options", OutgoingDraft{To: to, Type: "poll", Poll: poll(1, many(13)...)}, []string{"poll.options"}},
		{"poll one option", OutgoingDraft{To: to, Type: "poll", Poll: poll(1, "pizza")}, []string{"poll.options"}},
		{"poll duplicate options", OutgoingDraft{To: to, Type: "poll", Poll: poll(1, "pizza", "sushi", "pizza")}, []string{"poll.options[2]"}},
		{"poll empty option", OutgoingDraft{To: to, Type: "poll", Poll: poll(1, "pizza", " ")}, []string{"poll.options[1]"}},
		{"poll option too long", OutgoingDraft{To: to, Type: "poll", Poll: poll(1, "pizza", strings.Repeat("x", MaxPollOptionRunes+1))}, []string{"poll.options[1]"}},
		{"poll option with NUL", OutgoingDraft{To: to, Type: "poll", Poll: poll(1, "pizza", "su\x00shi")}, []string{"poll.options[1]"}},
		{"poll without question", OutgoingDraft{To: to, Type: "poll", Poll: &PollDraft{Options: []string{"a", "b"}}}, []string{"poll.question"}},
		{"poll question too long", OutgoingDraft{To: to, Type: "poll", Poll: &PollDraft{Question: strings.Repeat("q", 256), Options: []string{"a", "b"}}}, []string{"poll.question"}},
		{"poll question with NUL", OutgoingDraft{To: to, Type: "poll", Poll: &PollDraft{Question: "q\x00", Options: []string{"a", "b"}}}, []string{"poll.question"}},
		{"poll selectable too high", OutgoingDraft{To: to, Type: "poll", Poll: poll(3, "pizza", "sushi")}, []string{"poll.selectable"}},
		{"poll selectable negative", OutgoingDraft{To: to, Type: "poll", Poll: poll(-1, "pizza", "sushi")}, []string{"poll.selectable"}},
		{"poll missing", OutgoingDraft{To: to, Type: "poll"}, []string{"poll"}},
		{"poll on a text", OutgoingDraft{To: to, Type: "text", Text: "hi", Poll: poll(1, "a", "b")}, []string{"poll"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := NewOutgoing(tt.draft, now)
			if len(tt.wantFields) == 0 {
				if err != nil {
					t.Fatal(err)
				}
				if string(m.Type) != tt.draft.Type {
					t.Errorf("type = %q", m.Type)
				}
				return
			}
			var de *Error
			if !errors.As(err, &de) || de.Kind != KindInvalid {
				t.Fatalf("err = %v, want invalid", err)
			}
			for _, f := range tt.wantFields {
				if de.Fields[f] == "" {
					t.Errorf("no reason for field %q in %v", f, de.Fields)
				}
			}
		})
	}
}

func TestNewOutgoingKeepsWhatKindsCarry(t *testing.T) {
	m, err := NewOutgoing(OutgoingDraft{To: "5511999998888", Type: "contact",
		Contacts: []ContactCard{{Name: "Ana", Phones: []string{"+55 11 98888-7777"}}}}, now)
	if err == nil {
		t.Fatalf("a phone with spaces was accepted: %+v", m.Contacts)
	}
	m, err = NewOutgoing(OutgoingDraft{To: "5511999998888", Type: "contact",
		Contacts: []ContactCard{{Name: "Ana", Phones: []string{"+5511988887777"}, Organization: "ACME"}}}, now)
	if err != nil {
		t.Fatal(err)
	}
	if want := []ContactCard{{Name: "Ana", Phones: []string{"5511988887777"}, Organization: "ACME"}}; !reflect.DeepEqual(m.Contacts, want) {
		t.Errorf("contacts = %+v, want %+v", m.Contacts, want)
	}
	m, err = NewOutgoing(OutgoingDraft{To: "5511999998888", Type: "poll", Poll: &PollDraft{Question: "Lunch?", Options: []string{"pizza", "sushi"}, Selectable: 1}}, now)
	if err != nil {
		t.Fatal(err)
	}
	want := &Poll{Question: "Lunch?", Selectable: 1, Options: []PollOption{{Name: "pizza"}, {Name: "sushi"}}}
	if !reflect.DeepEqual(m.Poll, want) {
		t.Errorf("poll = %+v, want %+v", m.Poll, want)
	}
}

func TestFingerprintTellsKindsApart(t *testing.T) {
	base := OutgoingDraft{InstanceID: "i", To: "5511999998888", Type: "location", Location: &LocationDraft{Latitude: ptr(1), Longitude: ptr(2)}}
	other := base
	other.Location = &LocationDraft{Latitude: ptr(1), Longitude: ptr(3)}
	if base.Fingerprint() == other.Fingerprint() {
		t.Error("two places hash the same")
	}
	if base.Fingerprint() != base.Fingerprint() {
		t.Error("fingerprint is not stable")
	}
	p1 := OutgoingDraft{InstanceID: "i", To: "5511999998888", Type: "poll", Poll: &PollDraft{Question: "q", Options: []string{"a", "b"}}}
	p2 := p1
	p2.Poll = &PollDraft{Question: "q", Options: []string{"b", "a"}}
	if p1.Fingerprint() == p2.Fingerprint() {
		t.Error("two polls hash the same")
	}
	text := OutgoingDraft{InstanceID: "i", To: "5511999998888", Type: "text", Text: "hi"}
	if len(text.kindParts()) != 0 {
		t.Error("a text adds kind parts: older fingerprints would no longer match")
	}
}

func TestPollVotes(t *testing.T) {
	p := &Poll{Question: "Lunch?", Selectable: 2, Options: []PollOption{{Name: "pizza"}, {Name: "sushi"}, {Name: "salad"}}}
	hash := func(s string) []byte { h := sha256.Sum256([]byte(s)); return h[:] }
	if got := p.OptionsByHash([][]byte{hash("salad"), hash("nope"), hash("pizza"), []byte("short")}); !reflect.DeepEqual(got, []string{"pizza", "salad"}) {
		t.Errorf("OptionsByHash = %v", got)
	}
	if got := p.OptionsByHash(nil); got == nil || len(got) != 0 {
		t.Errorf("OptionsByHash(nil) = %#v, want an empty list", got)
	}
	choose := []struct {
		names   []string
		want    []string
		wantErr bool
	}{
		{[]string{"sushi", "pizza", "sushi"}, []string{"pizza", "sushi"}, false},
		{nil, []string{}, false},
		{[]string{"burger"}, nil, true},
		{[]string{"pizza", "sushi", "salad"}, nil, true}, // more than selectable
	}
	for _, c := range choose {
		got, err := p.Choose(c.names)
		if (err != nil) != c.wantErr || (!c.wantErr && !reflect.DeepEqual(got, c.want)) {
			t.Errorf("Choose(%v) = %v, %v", c.names, got, err)
		}
	}
	p.Tally([][]string{{"pizza"}, {"pizza", "salad"}, {}})
	if got := []int{p.Options[0].Votes, p.Options[1].Votes, p.Options[2].Votes}; !reflect.DeepEqual(got, []int{2, 0, 1}) {
		t.Errorf("votes = %v", got)
	}
	var m Message
	if err := m.TallyPoll(nil); !IsNotFound(err) {
		t.Errorf("tally of a message without a poll: %v", err)
	}
}

func TestNewIncomingCleansKinds(t *testing.T) {
	m, err := NewIncoming(IncomingDraft{InstanceID: "i", WAMessageID: "W1", From: "5511999998888", Type: TypePoll,
		Poll:     &Poll{Question: "q\x00?", Selectable: -3, Options: []PollOption{{Name: "a\x00", Votes: 7}}},
		Location: &Location{Latitude: 1, Longitude: 2, Name: "x\x00"},
		Contacts: []ContactCard{{Name: "A\x00", Phones: []string{"1\x002"}}}}, now)
	if err != nil {
		t.Fatal(err)
	}
	if m.Poll.Question != "q?" || m.Poll.Selectable != 0 || m.Poll.Options[0] != (PollOption{Name: "a"}) {
		t.Errorf("poll = %+v", m.Poll)
	}
	if m.Location.Name != "x" || m.Contacts[0].Name != "A" || m.Contacts[0].Phones[0] != "12" {
		t.Errorf("location %+v contacts %+v", m.Location, m.Contacts)
	}
}

func TestLiftLegacyExtra(t *testing.T) {
	m := Message{Extra: []byte(`{"lid":"77","location":{"latitude":1.5,"longitude":-2,"name":"Store"},
		"contacts":[{"display_name":"Ana","vcard":"BEGIN:VCARD\nVERSION:3.0\nFN:Ana S\nTEL;waid=5511988887777:+55 11 98888-7777\nEND:VCARD"}]}`)}
	m.LiftLegacyExtra()
	if m.Location == nil || *m.Location != (Location{Latitude: 1.5, Longitude: -2, Name: "Store"}) {
		t.Errorf("location = %+v", m.Location)
	}
	if len(m.Contacts) != 1 || m.Contacts[0].Name != "Ana" || !reflect.DeepEqual(m.Contacts[0].Phones, []string{"5511988887777"}) {
		t.Errorf("contacts = %+v", m.Contacts)
	}
	typed := Message{Extra: m.Extra, Location: &Location{Name: "new"}}
	typed.LiftLegacyExtra()
	if typed.Location.Name != "new" || typed.Contacts != nil {
		t.Errorf("typed fields were overwritten: %+v", typed)
	}
}
