package app

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"

	"github.com/zapgate/zapgate/domain"
)

// maxCheckPhones bounds one contacts/check.
const maxCheckPhones = 50

// checkContactsPayload is the stored payload of check_contacts.
type checkContactsPayload struct {
	Phones []string `json:"phones"`
}

// ContactsChecked is the result of check_contacts.
type ContactsChecked struct {
	Items []ContactCheck `json:"items"`
}

// CheckContacts asks the instance's bot which of phones (1 to 50) are on
// WhatsApp; the answer is the command's result.
func (a *App) CheckContacts(ctx context.Context, instanceID string, phones []string) (*domain.Command, error) {
	if len(phones) == 0 || len(phones) > maxCheckPhones {
		return nil, domain.InvalidField("phones", "must hold 1 to 50 phone numbers")
	}
	clean := make([]string, len(phones))
	for i, p := range phones {
		n, ok := domain.NormalizePhone(p)
		if !ok {
			return nil, domain.InvalidField("phones", "item "+strconv.Itoa(i)+" "+domain.PhoneRule)
		}
		clean[i] = n
	}
	return a.requestCommand(ctx, instanceID, domain.CommandCheckContacts, checkContactsPayload{Phones: clean})
}

// runCheckContacts asks WhatsApp; it answers every phone asked, in order.
func (a *App) runCheckContacts(ctx context.Context, cmd *domain.Command) ([]byte, error) {
	var p checkContactsPayload
	if err := json.Unmarshal(cmd.Payload, &p); err != nil {
		return nil, fmt.Errorf("decode check_contacts payload: %w", err)
	}
	checker, ok := a.wa.(ContactChecker)
	if !ok {
		return nil, fmt.Errorf("the WhatsApp driver cannot check contacts: %w", ErrPermanent)
	}
	got, err := checker.CheckContacts(ctx, cmd.InstanceID, p.Phones)
	if err != nil {
		return nil, err
	}
	byPhone := make(map[string]ContactCheck, len(got))
	for _, c := range got {
		byPhone[c.Phone] = c
	}
	out := ContactsChecked{Items: make([]ContactCheck, 0, len(p.Phones))}
	for _, phone := range p.Phones {
		c, ok := byPhone[phone]
		if !ok {
			c = ContactCheck{Phone: phone} // not answered: not on WhatsApp
		}
		out.Items = append(out.Items, c)
	}
	return json.Marshal(out)
}
