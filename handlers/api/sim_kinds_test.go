package api

import (
	"errors"
	"reflect"
	"testing"

	"github.com/zapgate/zapgate/domain"
)

// The sim's locations, contact cards and polls follow the rules of sent
// ones; cards arrive as vCards, as from a phone.
func TestSimKindsFill(t *testing.T) {
	lat, lon, far := 1.5, -2.5, 200.0
	tests := []struct {
		name     string
		typ      domain.MessageType
		kinds    simKinds
		badField string
		check    func(t *testing.T, d domain.IncomingDraft)
	}{
		{"location", domain.TypeLocation, simKinds{Location: &domain.LocationDraft{Latitude: &lat, Longitude: &lon, Name: "Here"}}, "",
			func(t *testing.T, d domain.IncomingDraft) {
				if *d.Location != (domain.Location{Latitude: 1.5, Longitude: -2.5, Name: "Here"}) {
					t.Errorf("location %+v", d.Location)
				}
			}},
		{"location out of range", domain.TypeLocation, simKinds{Location: &domain.LocationDraft{Latitude: &lat, Longitude: &far}}, "location.longitude", nil},
		{"location missing", domain.TypeLocation, simKinds{}, "location", nil},
		{"contact", domain.TypeContact, simKinds{Contacts: []domain.ContactCard{{Name: "Ana", Phones: []string{"+5511988887777"}, Organization: "ACME"}}}, "",
			func(t *testing.T, d domain.IncomingDraft) {
				want := domain.ContactCard{Name: "Ana", Phones: []string{"5511988887777"}, Organization: "ACME"}
				got := d.Contacts[0]
				if got.VCard == "" {
					t.Error("no vCard")
				}
				got.VCard = ""
				if len(d.Contacts) != 1 || !reflect.DeepEqual(got, want) {
					t.Errorf("contacts %+v", d.Contacts)
				}
			}},
		{"contact without phone", domain.TypeContact, simKinds{Contacts: []domain.ContactCard{{Name: "Ana"}}}, "contacts[0].phones", nil},
		{"poll", domain.TypePoll, simKinds{Poll: &domain.PollDraft{Question: "Tea?", Options: []string{"yes", "no"}}}, "",
			func(t *testing.T, d domain.IncomingDraft) {
				if d.Poll.Question != "Tea?" || len(d.Poll.Options) != 2 {
					t.Errorf("poll %+v", d.Poll)
				}
			}},
		{"poll with one option", domain.TypePoll, simKinds{Poll: &domain.PollDraft{Question: "Tea?", Options: []string{"yes"}}}, "poll.options", nil},
		{"a text ignores them", domain.TypeText, simKinds{Poll: &domain.PollDraft{}}, "",
			func(t *testing.T, d domain.IncomingDraft) {
				if d.Poll != nil || d.Location != nil || d.Contacts != nil {
					t.Errorf("a text carries %+v", d)
				}
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := domain.IncomingDraft{Type: tt.typ}
			err := tt.kinds.fill(&d)
			if tt.badField != "" {
				var e *domain.Error
				if !errors.As(err, &e) || e.Fields[tt.badField] == "" {
					t.Fatalf("err = %v, want a reason for %s", err, tt.badField)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			tt.check(t, d)
		})
	}
}
