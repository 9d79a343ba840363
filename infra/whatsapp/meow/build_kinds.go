package meow

import (
	"fmt"
	"strconv"

	"go.mau.fi/whatsmeow"
	"go.mau.fi/whatsmeow/proto/waE2E"
	"google.golang.org/protobuf/proto"

	"github.com/zapgate/zapgate/app"
	"github.com/zapgate/zapgate/domain"
)

// buildKind is the waE2E message of a location, contact or poll: kinds
// that carry no file.
func buildKind(m app.OutboundMessage, ci *waE2E.ContextInfo) (*waE2E.Message, error) {
	switch m.Type {
	case domain.TypeLocation:
		if m.Location == nil {
			return nil, fmt.Errorf("location message without a location: %w", app.ErrPermanent)
		}
		l := m.Location
		return &waE2E.Message{LocationMessage: &waE2E.LocationMessage{
			DegreesLatitude: proto.Float64(l.Latitude), DegreesLongitude: proto.Float64(l.Longitude),
			Name: optional(l.Name), Address: optional(l.Address), ContextInfo: ci,
		}}, nil
	case domain.TypeContact:
		return buildContacts(m.Contacts, ci)
	case domain.TypePoll:
		if m.Poll == nil {
			return nil, fmt.Errorf("poll message without a poll: %w", app.ErrPermanent)
		}
		names := make([]string, len(m.Poll.Options))
		for i, o := range m.Poll.Options {
			names[i] = o.Name
		}
		// BuildPollCreation does not use its client: it draws the poll's
		// secret, which SendMessage stores in whatsmeow's store so that
		// DecryptPollVote can read the votes later.
		var c *whatsmeow.Client
		msg := c.BuildPollCreation(m.Poll.Question, names, m.Poll.Selectable)
		msg.PollCreationMessage.ContextInfo = ci
		return msg, nil
	}
	return nil, fmt.Errorf("cannot send a %q message: %w", m.Type, app.ErrPermanent)
}

// buildContacts is one person's ContactMessage, or a ContactsArrayMessage
// for several, each with the vCard zapgate writes.
func buildContacts(people []domain.ContactCard, ci *waE2E.ContextInfo) (*waE2E.Message, error) {
	switch len(people) {
	case 0:
		return nil, fmt.Errorf("contact message without people: %w", app.ErrPermanent)
	case 1:
		p := people[0]
		return &waE2E.Message{ContactMessage: &waE2E.ContactMessage{
			DisplayName: proto.String(p.Name), Vcard: proto.String(domain.VCard(p)), ContextInfo: ci,
		}}, nil
	}
	cards := make([]*waE2E.ContactMessage, len(people))
	for i, p := range people {
		cards[i] = &waE2E.ContactMessage{DisplayName: proto.String(p.Name), Vcard: proto.String(domain.VCard(p))}
	}
	return &waE2E.Message{ContactsArrayMessage: &waE2E.ContactsArrayMessage{
		// WhatsApp's own apps title a shared list this way.
		DisplayName: proto.String(strconv.Itoa(len(people)) + " contacts"), Contacts: cards, ContextInfo: ci,
	}}, nil
}
