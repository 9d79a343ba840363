package whatsapp

import (
	"context"
	"time"

	"go.mau.fi/whatsmeow/types/events"

	"github.com/zapgate/zapgate/domain"
)

// ContactSink records what was seen of people.
type ContactSink interface {
	RecordContacts(ctx context.Context, instanceID string, obs []domain.ContactObservation) error
}

func (t *Translator) contact(ctx context.Context, e *events.Contact) error {
	if t.Contacts == nil {
		return nil
	}
	o, ok := ContactObservation(e)
	if !ok {
		return nil
	}
	return t.Contacts.RecordContacts(ctx, t.InstanceID, []domain.ContactObservation{o})
}

func (t *Translator) pushName(ctx context.Context, e *events.PushName) error {
	if t.Contacts == nil {
		return nil
	}
	o, ok := PushNameObservation(e, time.Now())
	if !ok {
		return nil
	}
	return t.Contacts.RecordContacts(ctx, t.InstanceID, []domain.ContactObservation{o})
}

// ContactObservation is what an address-book entry synced from the phone
// tells: the name the owner saved, and the person's phone and LID when the
// entry carries both.
func ContactObservation(e *events.Contact) (domain.ContactObservation, bool) {
	o := domain.ContactObservation{At: e.Timestamp.UTC()}
	see(&o, e.JID.ToNonAD().String())
	if a := e.Action; a != nil {
		see(&o, a.GetPnJID())
		see(&o, a.GetLidJID())
		o.Name = a.GetFullName()
		if o.Name == "" {
			o.Name = a.GetFirstName()
		}
	}
	o.Name = domain.CleanText(o.Name)
	return o, o.Identified()
}

// PushNameObservation is a changed push name, with the person's other
// address when WhatsApp gave it. now dates it when no message does.
func PushNameObservation(e *events.PushName, now time.Time) (domain.ContactObservation, bool) {
	at := now
	if e.Message != nil && !e.Message.Timestamp.IsZero() {
		at = e.Message.Timestamp
	}
	o := domain.ContactObservation{PushName: domain.CleanText(e.NewPushName), At: at.UTC()}
	see(&o, e.JID.ToNonAD().String())
	if !e.JIDAlt.IsEmpty() {
		see(&o, e.JIDAlt.ToNonAD().String())
	}
	return o, o.Identified() && o.PushName != ""
}

// see adds an address to what o knows: a phone JID or a LID. Others (a
// group, a bot) are not people's addresses.
func see(o *domain.ContactObservation, jid string) {
	if jid == "" {
		return
	}
	a, ok := domain.ParseAddress(jid)
	if !ok {
		return
	}
	switch a.Kind() {
	case domain.AddressPhone:
		o.JID, o.Phone = a.JID(), a.Phone()
	case domain.AddressLID:
		o.LID = a.JID()
	}
}
