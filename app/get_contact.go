package app

import (
	"context"

	"github.com/zapgate/zapgate/domain"
)

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
