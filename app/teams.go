package app

import (
	"context"

	"github.com/zapgate/zapgate/domain"
)

// CreateTeam groups attendants to answer some instances; an instance
// belongs to at most one team. What already waits unassigned on its
// instances joins its queue.
func (a *App) CreateTeam(ctx context.Context, name string, instanceIDs, attendantIDs []string, routing string) (*domain.Team, error) {
	if a.teams == nil {
		return nil, domain.NotFound("resource")
	}
	t, err := domain.NewTeam(name, instanceIDs, attendantIDs, routing, a.now())
	if err != nil {
		return nil, err
	}
	if err := a.teams.InsertTeam(ctx, t); err != nil {
		return nil, err
	}
	a.routeFor(ctx, nil, t.ID)
	return t, nil
}

// ListTeams lists every team.
func (a *App) ListTeams(ctx context.Context) ([]domain.Team, error) {
	if a.teams == nil {
		return []domain.Team{}, nil
	}
	return a.teams.ListTeams(ctx)
}

// UpdateTeam changes a team; new members or a switch to round_robin may
// take its waiting attendances at once.
func (a *App) UpdateTeam(ctx context.Context, id string, c domain.TeamChange) (*domain.Team, error) {
	if a.teams == nil || !domain.ValidID(id) {
		return nil, domain.NotFound("team")
	}
	now := a.now()
	t, err := a.teams.UpdateTeam(ctx, id, func(t *domain.Team) error { return t.Change(c, now) })
	if err != nil {
		return nil, err
	}
	a.routeFor(ctx, nil, t.ID)
	return t, nil
}

// DeleteTeam removes a team; its attendances stay, out of any queue.
func (a *App) DeleteTeam(ctx context.Context, id string) error {
	if a.teams == nil || !domain.ValidID(id) {
		return domain.NotFound("team")
	}
	return a.teams.DeleteTeam(ctx, id)
}
