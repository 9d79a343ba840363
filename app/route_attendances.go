package app

import (
	"context"
	"fmt"
	"time"

	"github.com/zapgate/zapgate/domain"
	"github.com/zapgate/zapgate/events"
)

// routeBatch caps the attendances one routing transaction assigns.
const routeBatch = 200

// RouteTeam assigns what waits in a round_robin team's queue to its online
// members with room (domain.Route decides), oldest first, with one
// attendance.assigned each, in one transaction that holds the team's
// routing lock and its members' rows: routers in other processes wait, so
// no capacity is exceeded and no attendance is assigned twice. It returns
// how many it assigned.
func (a *App) RouteTeam(ctx context.Context, teamID string) (int, error) {
	n := 0
	err := a.store.InTx(ctx, func(tx Tx) error {
		rt, ok := routingTx(tx)
		if !ok {
			return nil
		}
		now := a.now()
		mode, members, waiting, err := rt.LockRouting(ctx, teamID, now, routeBatch)
		if err != nil || mode != domain.RoundRobin {
			return err
		}
		var envs []events.Envelope
		for _, as := range domain.Route(members, waiting) {
			_, _, env, err := a.assign(ctx, tx, rt, as.AttendanceID, as.AttendantID, events.ByRouting)
			if err != nil {
				return err
			}
			envs = append(envs, env)
		}
		n = len(envs)
		return tx.Publish(ctx, envs...)
	})
	if err != nil {
		return 0, fmt.Errorf("route team %s: %w", teamID, err)
	}
	return n, nil
}

// assign gives an open attendance to an attendant and returns it, whom it
// was taken from ("" when nobody) and its attendance.assigned.
func (a *App) assign(ctx context.Context, tx Tx, rt RoutingTx, attendanceID, attendantID, by string) (*domain.Attendance, string, events.Envelope, error) {
	now := a.now()
	var att *domain.Attendance
	previous := ""
	if err := tx.UpdateAttendance(ctx, attendanceID, func(at *domain.Attendance) error {
		att, previous = at, at.AttendantID
		return at.Assign(attendantID)
	}); err != nil {
		return nil, "", events.Envelope{}, err
	}
	if rt != nil {
		if err := rt.MarkAssigned(ctx, attendantID, now); err != nil {
			return nil, "", events.Envelope{}, err
		}
	}
	return att, previous, assignedEvent(att, by, now), nil
}

func assignedEvent(att *domain.Attendance, by string, now time.Time) events.Envelope {
	return newEvent(events.AttendanceAssigned, att.InstanceID, now, events.AttendanceAssignedData{
		AttendanceID: att.ID, AttendantID: att.AttendantID, By: by, TeamID: att.TeamID})
}

// RouteWaiting routes every round_robin team with attendances waiting: the
// safety net behind the routing that follows each change (a process that
// died between a commit and its routing, a connection that expired).
func (a *App) RouteWaiting(ctx context.Context) (int, error) {
	if a.teams == nil {
		return 0, nil
	}
	ids, err := a.teams.TeamsWaiting(ctx)
	if err != nil {
		return 0, fmt.Errorf("route waiting: %w", err)
	}
	total := 0
	for _, id := range ids {
		n, err := a.RouteTeam(ctx, id)
		if err != nil {
			return total, err
		}
		total += n
	}
	return total, nil
}

// routeFor routes the teams of attendants who may have room now (they came
// online, closed or handed over an attendance, got a higher max_open) and
// the given teams. It runs after the change committed; a failure is only
// logged: RouteWaiting catches up.
func (a *App) routeFor(ctx context.Context, attendantIDs []string, teamIDs ...string) {
	if a.teams == nil {
		return
	}
	var ids []string
	if len(attendantIDs) > 0 {
		var err error
		if ids, err = a.teams.RoutedTeamsOf(ctx, attendantIDs); err != nil {
			a.logRouting(err)
			return
		}
	}
	seen := map[string]bool{}
	for _, id := range append(teamIDs, ids...) {
		if id == "" || seen[id] {
			continue
		}
		seen[id] = true
		if _, err := a.RouteTeam(ctx, id); err != nil {
			a.logRouting(err)
		}
	}
}

func (a *App) logRouting(err error) {
	if a.logger != nil {
		a.logger.Warn("routing deferred to the sweep", "err", err)
	}
}
