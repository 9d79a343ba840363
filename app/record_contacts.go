package app

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/zapgate/zapgate/domain"
)

// RecordContacts merges what was seen of people into the instance's
// contacts, in one transaction.
func (a *App) RecordContacts(ctx context.Context, instanceID string, obs []domain.ContactObservation) error {
	if err := a.store.InTx(ctx, func(tx Tx) error { return tx.RecordContacts(ctx, instanceID, obs) }); err != nil {
		return fmt.Errorf("record contacts: %w", err)
	}
	return nil
}

// checkedContacts is what a contacts/check taught about people: those on
// WhatsApp, with their phone JID and LID.
func checkedContacts(checked ContactsChecked, now domain.ContactObservation) []domain.ContactObservation {
	var out []domain.ContactObservation
	for _, c := range checked.Items {
		if !c.OnWhatsApp {
			continue
		}
		o := now
		o.Phone = c.Phone
		if a, ok := domain.ParseAddress(c.JID); ok && a.Kind() == domain.AddressPhone {
			o.JID = a.JID()
		} else if a, ok := domain.ParseAddress(c.Phone); ok {
			o.JID = a.JID()
		}
		if a, ok := domain.ParseAddress(c.LID); ok && a.IsLID() {
			o.LID = a.JID()
		}
		if o.Identified() {
			out = append(out, o)
		}
	}
	return out
}

// recordChecked records the people a contacts/check result found, with the
// command's ending.
func (a *App) recordChecked(ctx context.Context, tx Tx, instanceID string, result []byte) error {
	var checked ContactsChecked
	if err := json.Unmarshal(result, &checked); err != nil {
		return fmt.Errorf("decode check_contacts result: %w", err)
	}
	obs := checkedContacts(checked, domain.ContactObservation{At: a.now()})
	if len(obs) == 0 {
		return nil
	}
	return tx.RecordContacts(ctx, instanceID, obs)
}

// receivedContact is what an incoming message tells of its sender: the
// push name, the phone and the LID when it carries both.
func receivedContact(m *domain.Message) (domain.ContactObservation, bool) {
	if m.FromMe {
		return domain.ContactObservation{}, false
	}
	from := m.From
	if m.IsGroup && m.Participant != "" {
		from = m.Participant
	}
	addr, ok := domain.ParseAddress(from)
	if !ok {
		return domain.ContactObservation{}, false
	}
	o, ok := domain.NewContactObservation(addr, m.CreatedAt)
	if !ok {
		return o, false
	}
	if l, ok := domain.ParseAddress(m.FromLID); ok && l.IsLID() {
		o.LID = l.JID()
	}
	if p, ok := domain.ParseAddress(m.From); ok && p.Kind() == domain.AddressPhone && o.JID == "" {
		// A group member who wrote by LID: From is their phone when
		// WhatsApp gave it.
		o.JID, o.Phone = p.JID(), p.Phone()
	}
	o.PushName = m.PushName
	return o, true
}
