package app

import (
	"context"

	"github.com/zapgate/zapgate/domain"
)

// UpdateAttendant is an admin's change of name, role, active or max_open;
// a higher max_open or a reactivation may take waiting attendances at once.
func (a *App) UpdateAttendant(ctx context.Context, id string, c domain.AttendantChange) (*domain.Attendant, error) {
	if a.presence == nil || !domain.ValidID(id) {
		return nil, domain.NotFound("attendant")
	}
	at, err := a.presence.UpdateAttendant(ctx, id, func(at *domain.Attendant) error { return at.Change(c) })
	if err != nil {
		return nil, err
	}
	a.routeFor(ctx, []string{at.ID})
	return at, nil
}

// SetMyStatus records an attendant's own choice, online or away; back
// online, they may take waiting attendances at once.
func (a *App) SetMyStatus(ctx context.Context, attendantID, status string) (*domain.Attendant, error) {
	if a.presence == nil || attendantID == "" {
		return nil, domain.NotFound("attendant")
	}
	at, err := a.presence.UpdateAttendant(ctx, attendantID, func(at *domain.Attendant) error { return at.ChooseStatus(status) })
	if err != nil {
		return nil, err
	}
	if !at.Away {
		a.routeFor(ctx, []string{at.ID})
	}
	return at, nil
}

// AttendantLoads tells, per attendant id, whether a dashboard of theirs is
// connected and how many open attendances they hold.
func (a *App) AttendantLoads(ctx context.Context) (map[string]AttendantLoad, error) {
	if a.presence == nil {
		return map[string]AttendantLoad{}, nil
	}
	return a.presence.AttendantLoads(ctx, a.now())
}
