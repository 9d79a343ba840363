package app

import (
	"github.com/zapgate/zapgate/domain"
	"github.com/zapgate/zapgate/events"
)

// kindData fills the wire shape of what a location, contact or poll
// message carries.
func kindData(v *events.Message, m *domain.Message) {
	v.Contacts = []events.ContactCard{} // always a list on the wire
	if m.Location != nil {
		l := events.Location(*m.Location)
		v.Location = &l
	}
	for _, c := range m.Contacts {
		phones := c.Phones
		if phones == nil {
			phones = []string{}
		}
		v.Contacts = append(v.Contacts, events.ContactCard{Name: c.Name, Phones: phones, Organization: c.Organization,
			Email: c.Email, VCard: c.VCard})
	}
	if m.Poll != nil {
		p := events.Poll{Question: m.Poll.Question, Selectable: m.Poll.Selectable, Options: make([]events.PollOption, 0, len(m.Poll.Options))}
		for _, o := range m.Poll.Options {
			p.Options = append(p.Options, events.PollOption(o))
		}
		v.Poll = &p
	}
}
