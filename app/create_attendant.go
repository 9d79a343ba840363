package app

import (
	"context"
	"fmt"

	"github.com/zapgate/zapgate/domain"
	"golang.org/x/crypto/bcrypt"
)

// CreateAttendant adds a person who can log in to the dashboard.
func (a *App) CreateAttendant(ctx context.Context, name, email, password, role string) (*domain.Attendant, error) {
	at, err := domain.NewAttendant(name, email, role, a.now())
	if err != nil {
		return nil, err
	}
	if err := domain.ValidPassword(password); err != nil {
		return nil, err
	}
	hash, err := bcrypt.GenerateFromPassword([]byte(password), bcryptCost)
	if err != nil {
		return nil, fmt.Errorf("hash password: %w", err)
	}
	if err := at.SetPasswordHash(string(hash)); err != nil {
		return nil, err
	}
	if err := a.attendants.InsertAttendant(ctx, at); err != nil {
		return nil, err
	}
	return at, nil
}
