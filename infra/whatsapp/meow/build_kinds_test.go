package meow

import (
	"bytes"
	"crypto/sha256"
	"reflect"
	"testing"

	"go.mau.fi/whatsmeow"

	"github.com/zapgate/zapgate/app"
	"github.com/zapgate/zapgate/domain"
)

func TestBuildLocation(t *testing.T) {
	tests := []struct {
		name string
		loc  domain.Location
	}{
		{"named place", domain.Location{Latitude: -23.5505, Longitude: -46.6333, Name: "Store", Address: "Av. Paulista 1000"}},
		{"bare coordinates", domain.Location{Latitude: 90, Longitude: -180}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := BuildMessage(app.OutboundMessage{Type: domain.TypeLocation, Location: &tt.loc}, nil)
			if err != nil {
				t.Fatal(err)
			}
			l := got.GetLocationMessage()
			if l == nil || got.Conversation != nil {
				t.Fatalf("not a location message: %v", got)
			}
			if l.GetDegreesLatitude() != tt.loc.Latitude || l.GetDegreesLongitude() != tt.loc.Longitude ||
				l.GetName() != tt.loc.Name || l.GetAddress() != tt.loc.Address {
				t.Errorf("location = %v, want %+v", l, tt.loc)
			}
			// An empty name or address is unset, not an empty label.
			if (tt.loc.Name == "") != (l.Name == nil) || (tt.loc.Address == "") != (l.Address == nil) {
				t.Errorf("name set %v, address set %v", l.Name != nil, l.Address != nil)
			}
		})
	}
}

func TestBuildContacts(t *testing.T) {
	ana := domain.ContactCard{Name: "Ana; Souza", Phones: []string{"5511988887777", "5511977776666"}, Organization: "ACME", Email: "ana@example.com"}
	bia := domain.ContactCard{Name: "Bia", Phones: []string{"5511966665555"}}

	one, err := BuildMessage(app.OutboundMessage{Type: domain.TypeContact, Contacts: []domain.ContactCard{ana}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	c := one.GetContactMessage()
	if c == nil || one.ContactsArrayMessage != nil {
		t.Fatalf("one person is not a ContactMessage: %v", one)
	}
	if c.GetDisplayName() != ana.Name || c.GetVcard() != domain.VCard(ana) {
		t.Errorf("contact = %q %q", c.GetDisplayName(), c.GetVcard())
	}
	if !bytes.Contains([]byte(c.GetVcard()), []byte("waid=5511977776666:+5511977776666")) || !bytes.Contains([]byte(c.GetVcard()), []byte(`FN:Ana\; Souza`)) {
		t.Errorf("vcard lacks the second phone's waid or the escaped name:\n%s", c.GetVcard())
	}

	two, err := BuildMessage(app.OutboundMessage{Type: domain.TypeContact, Contacts: []domain.ContactCard{ana, bia}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	arr := two.GetContactsArrayMessage()
	if arr == nil || two.ContactMessage != nil {
		t.Fatalf("two people are not a ContactsArrayMessage: %v", two)
	}
	if arr.GetDisplayName() != "2 contacts" || len(arr.GetContacts()) != 2 {
		t.Fatalf("array = %q with %d cards", arr.GetDisplayName(), len(arr.GetContacts()))
	}
	for i, p := range []domain.ContactCard{ana, bia} {
		got := arr.GetContacts()[i]
		if got.GetDisplayName() != p.Name || got.GetVcard() != domain.VCard(p) {
			t.Errorf("card %d = %q %q", i, got.GetDisplayName(), got.GetVcard())
		}
	}
}

func TestBuildPoll(t *testing.T) {
	tests := []struct {
		name       string
		selectable int
	}{
		{"one choice", 1},
		{"any number", 0},
		{"all", 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := &domain.Poll{Question: "Lunch?", Selectable: tt.selectable, Options: []domain.PollOption{{Name: "pizza"}, {Name: "sushi"}, {Name: "salad"}}}
			got, err := BuildMessage(app.OutboundMessage{Type: domain.TypePoll, Poll: p}, nil)
			if err != nil {
				t.Fatal(err)
			}
			pc := got.GetPollCreationMessage()
			if pc == nil {
				t.Fatalf("not a poll creation: %v", got)
			}
			var names []string
			for _, o := range pc.GetOptions() {
				names = append(names, o.GetOptionName())
			}
			if pc.GetName() != "Lunch?" || !reflect.DeepEqual(names, []string{"pizza", "sushi", "salad"}) || pc.GetSelectableOptionsCount() != uint32(tt.selectable) {
				t.Errorf("poll = %q %v %d", pc.GetName(), names, pc.GetSelectableOptionsCount())
			}
			// The secret that votes are encrypted with rides with the poll.
			if len(got.GetMessageContextInfo().GetMessageSecret()) != 32 {
				t.Errorf("message secret = %x", got.GetMessageContextInfo().GetMessageSecret())
			}
			// Votes name options by these hashes; the domain maps them back.
			hashes := whatsmeow.HashPollOptions([]string{"salad"})
			if want := sha256.Sum256([]byte("salad")); !bytes.Equal(hashes[0], want[:]) || !reflect.DeepEqual(p.OptionsByHash(hashes), []string{"salad"}) {
				t.Error("a vote's option hash does not map back to its option")
			}
		})
	}
}
