package app

import (
	"context"
	"strings"
	"unicode/utf8"

	"github.com/zapgate/zapgate/domain"
)

// ListClients finds clients by name, push name, phone or LID.
func (a *App) ListClients(ctx context.Context, q string, p Page) ([]domain.Client, string, error) {
	q = strings.TrimSpace(q)
	if err := domain.CheckText("q", q); err != nil {
		return nil, "", err
	}
	if utf8.RuneCountInString(q) > 100 {
		return nil, "", domain.InvalidField("q", "must be at most 100 characters")
	}
	if p.Cursor != "" && !domain.ValidID(p.Cursor) {
		return nil, "", domain.InvalidField("cursor", "is not a cursor this API returned")
	}
	return a.tools.SearchClients(ctx, q, clampPage(p))
}
