package app

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"golang.org/x/crypto/bcrypt"

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

// ListAttendants lists everyone who can log in.
func (a *App) ListAttendants(ctx context.Context) ([]domain.Attendant, error) {
	return a.attendants.ListAttendants(ctx)
}

var errBadLogin = &domain.Error{Kind: domain.KindUnauthorized, Code: "invalid_credentials", Message: "wrong email or password"}

// dummyHash keeps a login for an unknown email as slow as a wrong password.
// It is made on first use, not at start-up: bcrypt is deliberately slow.
var dummyHash = sync.OnceValue(func() []byte {
	h, _ := bcrypt.GenerateFromPassword([]byte("zapgate-timing-equaliser"), bcryptCost)
	return h
})

// Login checks an attendant's password and opens a session.
func (a *App) Login(ctx context.Context, email, password string) (string, *domain.Attendant, error) {
	// Postgres refuses NUL even in a lookup: refuse it first, like anywhere.
	if err := domain.CheckText("email", email); err != nil {
		return "", nil, err
	}
	if err := domain.CheckText("password", password); err != nil {
		return "", nil, err
	}
	at, err := a.attendants.AttendantByEmail(ctx, strings.ToLower(strings.TrimSpace(email)))
	if err != nil && !domain.IsNotFound(err) {
		return "", nil, err
	}
	if at == nil || !at.Active {
		_ = bcrypt.CompareHashAndPassword(dummyHash(), []byte(password))
		return "", nil, errBadLogin
	}
	if bcrypt.CompareHashAndPassword([]byte(at.PasswordHash), []byte(password)) != nil {
		return "", nil, errBadLogin
	}
	token := domain.NewSecret("zga_", 32)
	if err := a.attendants.InsertSession(ctx, domain.HashSecret(token), at.ID, a.now().Add(SessionTTL)); err != nil {
		return "", nil, err
	}
	return token, at, nil
}

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
