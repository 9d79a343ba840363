package app

import (
	"context"
	"time"

	"github.com/zapgate/zapgate/domain"
)

// AttendantStore keeps attendants and their sessions.
type AttendantStore interface {
	// InsertAttendant reports a conflict when the email is taken.
	InsertAttendant(ctx context.Context, at *domain.Attendant) error
	AttendantByEmail(ctx context.Context, email string) (*domain.Attendant, error)
	AttendantByID(ctx context.Context, id string) (*domain.Attendant, error)
	ListAttendants(ctx context.Context) ([]domain.Attendant, error)
	InsertSession(ctx context.Context, hash []byte, attendantID string, expiresAt time.Time) error
	// SessionAttendant returns the attendant of a live session.
	SessionAttendant(ctx context.Context, hash []byte, now time.Time) (*domain.Attendant, error)
}

// SessionTTL is how long a dashboard login lasts.
const SessionTTL = 12 * time.Hour

// bcryptCost balances login latency against guessing cost.
const bcryptCost = 11

func (a *App) authenticateAttendant(ctx context.Context, token string) (Principal, error) {
	hash := domain.HashSecret(token)
	at, err := a.attendants.SessionAttendant(ctx, hash, a.now())
	if domain.IsNotFound(err) {
		return Principal{}, errUnauthorized
	}
	if err != nil {
		return Principal{}, err
	}
	if !at.Active {
		return Principal{}, errUnauthorized
	}
	return Principal{AttendantID: at.ID, Admin: at.Role == domain.RoleAdmin}, nil
}
