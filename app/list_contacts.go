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
