package app

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

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
	if err := a.takeChecks(ctx, instanceID, len(clean)); err != nil {
		return nil, err
	}
	return a.requestCommand(ctx, instanceID, domain.CommandCheckContacts, checkContactsPayload{Phones: clean})
}

// CheckBudget counts the numbers each instance checks, across processes.
type CheckBudget interface {
	// TakeChecks counts n numbers against the instance's window of the
	// given length, which opens at its first check and takes at most
	// limit. When n does not fit, nothing is counted, ok is false and
	// retryAfter is how long until the window ends.
	TakeChecks(ctx context.Context, instanceID string, n, limit int, window time.Duration) (retryAfter time.Duration, ok bool, err error)
}

// takeChecks spends n of the instance's check budget, refusing the whole
// request when it does not fit: WhatsApp reads bulk lookups of numbers as
// scraping, a common path to a ban.
func (a *App) takeChecks(ctx context.Context, instanceID string, n int) error {
	if a.checks == nil {
		return nil
	}
	if !domain.ValidID(instanceID) {
		return domain.NotFound("instance")
	}
	if _, err := a.store.Instance(ctx, instanceID); err != nil {
		return err
	}
	wait, ok, err := a.checks.TakeChecks(ctx, instanceID, n, domain.ChecksPerMinute, time.Minute)
	if err != nil {
		return fmt.Errorf("check budget of %s: %w", instanceID, err)
	}
	if !ok {
		return domain.TooManyChecks(wait)
	}
	return nil
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
