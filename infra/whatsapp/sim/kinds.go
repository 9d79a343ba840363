package sim

import (
	"database/sql/driver"
	"encoding/json"
	"fmt"

	"github.com/zapgate/zapgate/app"
	"github.com/zapgate/zapgate/domain"
)

// sentJSON is a jsonb column of sim_sent as text: nil is NULL (and null
// on the wire).
type sentJSON []byte

// Value implements driver.Valuer; it is text, which jsonb reads the same
// whatever the parameter format.
func (j sentJSON) Value() (driver.Value, error) {
	if j == nil {
		return nil, nil
	}
	return string(j), nil
}

// Scan implements sql.Scanner.
func (j *sentJSON) Scan(src any) error {
	switch v := src.(type) {
	case nil:
		*j = nil
	case []byte:
		*j = append(sentJSON(nil), v...)
	case string:
		*j = sentJSON(v)
	default:
		return fmt.Errorf("sim: cannot scan %T as json", src)
	}
	return nil
}

// MarshalJSON implements json.Marshaler: the stored JSON as it is.
func (j sentJSON) MarshalJSON() ([]byte, error) {
	if j == nil {
		return []byte("null"), nil
	}
	return j, nil
}

// sentKinds is what a location, contact or poll send carried, as the sim
// shows it: the place, the people (with the vCard WhatsApp would carry),
// the question and options.
func sentKinds(m app.OutboundMessage) (location, contacts, poll sentJSON) {
	enc := func(v any) sentJSON {
		b, err := json.Marshal(v)
		if err != nil {
			return nil // plain data: cannot happen
		}
		return sentJSON(domain.CleanJSON(b))
	}
	if m.Location != nil {
		location = enc(m.Location)
	}
	if m.Contacts != nil {
		cards := make([]domain.ContactCard, len(m.Contacts))
		for i, c := range m.Contacts {
			c.VCard = domain.VCard(c)
			cards[i] = c
		}
		contacts = enc(cards)
	}
	if m.Poll != nil {
		options := make([]string, len(m.Poll.Options))
		for i, o := range m.Poll.Options {
			options[i] = o.Name
		}
		poll = enc(map[string]any{"question": m.Poll.Question, "options": options, "selectable": m.Poll.Selectable})
	}
	return location, contacts, poll
}
