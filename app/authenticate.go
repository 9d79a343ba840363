package app

import (
	"context"
	"crypto/subtle"
	"strings"

	"github.com/zapgate/zapgate/domain"
)

// Principal is who a request acts as.
type Principal struct {
	Admin       bool
	InstanceID  string // set for an instance token
	AttendantID string // set for a dashboard session
}

// CanAttend tells whether the principal may work attendances.
func (p Principal) CanAttend() bool { return p.Admin || p.AttendantID != "" }

// SeesAttendance is the one rule for who sees an attendance, asked by the
// attendance routes, the media of its messages and the websocket feed, so
// narrowing it (teams, assignment) narrows them all. Today admins and every
// attendant see every attendance.
func (p Principal) SeesAttendance(attendanceID string) bool {
	return attendanceID != "" && p.CanAttend()
}

// CanAccess tells whether the principal may act on the instance; callers
// answer 404 otherwise, so ids of other tenants are not revealed.
func (p Principal) CanAccess(instanceID string) bool {
	return p.Admin || (p.InstanceID != "" && p.InstanceID == instanceID)
}

var errUnauthorized = &domain.Error{Kind: domain.KindUnauthorized, Code: "unauthorized", Message: "a valid bearer token is required"}

// Authenticate resolves a bearer token: the admin token, or an instance token
// (looked up by its hash, then compared in constant time).
func (a *App) Authenticate(ctx context.Context, token string) (Principal, error) {
	if token == "" {
		return Principal{}, errUnauthorized
	}
	if subtle.ConstantTimeCompare([]byte(token), []byte(a.adminToken)) == 1 {
		return Principal{Admin: true}, nil
	}
	if strings.HasPrefix(token, "zga_") && a.attendants != nil {
		return a.authenticateAttendant(ctx, token)
	}
	hash := domain.HashSecret(token)
	in, err := a.store.InstanceByTokenHash(ctx, hash)
	if domain.IsNotFound(err) {
		return Principal{}, errUnauthorized
	}
	if err != nil {
		return Principal{}, err
	}
	if subtle.ConstantTimeCompare(in.TokenHash, hash) != 1 {
		return Principal{}, errUnauthorized
	}
	return Principal{InstanceID: in.ID}, nil
}

// Actor names who acts in events (the "by" of attendance.assigned): the
// attendant's id, or "admin" for the admin token.
func (p Principal) Actor() string {
	if p.AttendantID != "" {
		return p.AttendantID
	}
	if p.Admin {
		return "admin"
	}
	return p.InstanceID
}
