package app

import (
	"context"
	"strings"
	"sync"

	"github.com/zapgate/zapgate/domain"
	"golang.org/x/crypto/bcrypt"
)

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
