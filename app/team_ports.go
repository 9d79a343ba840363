package app

import (
	"context"
	"time"

	"github.com/zapgate/zapgate/domain"
)

// TeamStore keeps teams and what routing needs outside a transaction.
type TeamStore interface {
	// InsertTeam stores a team with its instances and members: Conflict
	// instance_in_team when another team holds one of its instances,
	// InvalidField when an id names no instance or attendant.
	InsertTeam(ctx context.Context, t *domain.Team) error
	// UpdateTeam locks the team, lets fn change it and stores it, with the
	// errors of InsertTeam.
	UpdateTeam(ctx context.Context, id string, fn func(*domain.Team) error) (*domain.Team, error)
	DeleteTeam(ctx context.Context, id string) error
	Team(ctx context.Context, id string) (*domain.Team, error)
	ListTeams(ctx context.Context) ([]domain.Team, error)
	// RoutedTeamsOf lists the round_robin teams the attendants are in.
	RoutedTeamsOf(ctx context.Context, attendantIDs []string) ([]string, error)
	// TeamsWaiting lists the round_robin teams with unassigned open
	// attendances in their queue.
	TeamsWaiting(ctx context.Context) ([]string, error)
}

// PresenceStore keeps attendants' dashboard connections, per API process,
// so presence is the same on every replica.
type PresenceStore interface {
	// OpenFeed records a connection until expiresAt; cameOnline tells
	// whether the attendant had no live connection before.
	OpenFeed(ctx context.Context, id, attendantID, processID string, expiresAt, now time.Time) (cameOnline bool, err error)
	CloseFeed(ctx context.Context, id string) error
	// KeepFeeds extends the process's connections to expiresAt and forgets
	// every connection that expired before forgetBefore (a replica that
	// died long ago; an expired row already counts for nothing).
	KeepFeeds(ctx context.Context, processID string, expiresAt, forgetBefore time.Time) error
	// UpdateAttendant locks the attendant, lets fn change it and stores it.
	UpdateAttendant(ctx context.Context, id string, fn func(*domain.Attendant) error) (*domain.Attendant, error)
	// AttendantLoads tells, per attendant, whether a dashboard of theirs is
	// connected at now and how many open attendances they hold.
	AttendantLoads(ctx context.Context, now time.Time) (map[string]AttendantLoad, error)
}

// AttendantLoad is an attendant's connection and workload.
type AttendantLoad struct {
	Connected bool
	Open      int
}

// RoutingTx is what routing does inside a transaction. The Postgres Tx
// implements it; a Tx without it (unit-test fakes) routes nothing.
type RoutingTx interface {
	// TeamOfInstance names the team holding the instance, "" for none.
	TeamOfInstance(ctx context.Context, instanceID string) (string, error)
	// LockRouting serialises the routers of a team, locks its members (in
	// id order, so routers of teams that share people never deadlock) and
	// reads them with their open attendances and presence at now; then it
	// locks up to limit attendances waiting in the team's queue, oldest
	// first, skipping those another transaction is changing.
	LockRouting(ctx context.Context, teamID string, now time.Time, limit int) (domain.Routing, []domain.Member, []domain.Waiting, error)
	// MarkAssigned records when an attendant was last given an attendance.
	MarkAssigned(ctx context.Context, attendantID string, at time.Time) error
}

func routingTx(tx Tx) (RoutingTx, bool) {
	rt, ok := tx.(RoutingTx)
	return rt, ok
}
