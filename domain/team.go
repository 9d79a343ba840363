package domain

import (
	"strings"
	"time"
	"unicode/utf8"
)

// Routing is how a team hands out new attendances.
type Routing string

// Routing modes.
const (
	// RoundRobin assigns at once to the online member with room who has
	// the fewest open attendances (see Route).
	RoundRobin Routing = "round_robin"
	// ManualRouting leaves new attendances unassigned for people to take.
	ManualRouting Routing = "manual"
)

// MaxTeamIDs caps the instances and the members of one team.
const MaxTeamIDs = 1000

// Team is a group of attendants who answer the clients of some instances.
type Team struct {
	ID           string
	Name         string
	InstanceIDs  []string
	AttendantIDs []string
	Routing      Routing
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

// TeamChange is a partial update of a team: nil fields stay as they are.
type TeamChange struct {
	Name         *string
	InstanceIDs  *[]string
	AttendantIDs *[]string
	Routing      *string
}

// NewTeam validates a new team; routing defaults to round_robin.
func NewTeam(name string, instanceIDs, attendantIDs []string, routing string, now time.Time) (*Team, error) {
	t := &Team{ID: NewID(now), Routing: RoundRobin, CreatedAt: now, UpdatedAt: now}
	if routing == "" {
		routing = string(RoundRobin)
	}
	if err := t.Change(TeamChange{Name: &name, InstanceIDs: &instanceIDs, AttendantIDs: &attendantIDs, Routing: &routing}, now); err != nil {
		return nil, err
	}
	return t, nil
}

// Change applies a partial update, all of it or nothing.
func (t *Team) Change(c TeamChange, now time.Time) error {
	fields := map[string]string{}
	next := *t
	if c.Name != nil {
		name := strings.TrimSpace(*c.Name)
		if p := TextProblem(name); p != "" {
			fields["name"] = p
		} else if name == "" || utf8.RuneCountInString(name) > 100 {
			fields["name"] = "is required, at most 100 characters"
		}
		next.Name = name
	}
	if c.InstanceIDs != nil {
		ids, ok := uniqueIDs(*c.InstanceIDs)
		if !ok {
			fields["instance_ids"] = "must be instance ids, at most 1000"
		}
		next.InstanceIDs = ids
	}
	if c.AttendantIDs != nil {
		ids, ok := uniqueIDs(*c.AttendantIDs)
		if !ok {
			fields["attendant_ids"] = "must be attendant ids, at most 1000"
		}
		next.AttendantIDs = ids
	}
	if c.Routing != nil {
		switch r := Routing(*c.Routing); r {
		case RoundRobin, ManualRouting:
			next.Routing = r
		default:
			fields["routing"] = "must be round_robin or manual"
		}
	}
	if len(fields) > 0 {
		return Invalid(fields)
	}
	next.UpdatedAt = now
	*t = next
	return nil
}

// uniqueIDs checks and deduplicates ids, keeping their order; nil becomes
// empty.
func uniqueIDs(ids []string) ([]string, bool) {
	if len(ids) > MaxTeamIDs {
		return nil, false
	}
	out := make([]string, 0, len(ids))
	seen := map[string]bool{}
	for _, id := range ids {
		id = strings.ToLower(id)
		if !ValidID(id) {
			return nil, false
		}
		if !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out, true
}
