package app

import (
	"context"

	"github.com/zapgate/zapgate/domain"
)

// maxContactQuery bounds the q of a contact search.
const maxContactQuery = 100

// ListContacts lists the people the instance knows, oldest first; q, when
// given, keeps those whose name, push name, phone or LID contains it.
func (a *App) ListContacts(ctx context.Context, instanceID, q string, p Page) ([]domain.Contact, string, error) {
	if _, err := a.GetInstance(ctx, instanceID); err != nil {
		return nil, "", err
	}
	if len(q) > maxContactQuery {
		return nil, "", domain.InvalidField("q", "must be at most 100 characters")
	}
	if err := domain.CheckText("q", q); err != nil {
		return nil, "", err
	}
	return a.contacts.ListContacts(ctx, instanceID, q, clampPage(p))
}

// GetContact finds a contact by its phone, phone JID or LID.
func (a *App) GetContact(ctx context.Context, instanceID, address string) (*domain.Contact, error) {
	if _, err := a.GetInstance(ctx, instanceID); err != nil {
		return nil, err
	}
	addr, ok := domain.ParseAddress(address)
	if !ok {
		return nil, domain.InvalidField("address", domain.AddressRule)
	}
	if addr.IsGroup() {
		return nil, domain.InvalidField("address", "must name a person, not a group")
	}
	return a.contacts.Contact(ctx, instanceID, addr)
}
