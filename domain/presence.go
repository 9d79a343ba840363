package domain

import (
	"strings"
	"unicode/utf8"
)

// Capacity bounds of an attendant (max_open).
const (
	DefaultMaxOpen = 10
	MaxMaxOpen     = 1000
)

// Presence is whether an attendant takes new attendances now.
type Presence string

// Presences.
const (
	// Online: a dashboard of theirs is connected and they have not chosen
	// away.
	Online Presence = "online"
	// Away: connected, but they chose to take nothing new.
	Away Presence = "away"
	// Offline: no dashboard of theirs is connected (or they are inactive).
	Offline Presence = "offline"
)

// PresenceOf is the one rule for an attendant's presence, given whether a
// dashboard of theirs is connected anywhere.
func (a *Attendant) PresenceOf(connected bool) Presence {
	switch {
	case !connected || !a.Active:
		return Offline
	case a.Away:
		return Away
	}
	return Online
}

// ChooseStatus records the attendant's own choice: "online" or "away".
func (a *Attendant) ChooseStatus(status string) error {
	switch Presence(status) {
	case Online:
		a.Away = false
	case Away:
		a.Away = true
	default:
		return InvalidField("status", "must be online or away")
	}
	return nil
}

// AttendantChange is an admin's partial update: nil fields stay.
type AttendantChange struct {
	Name    *string
	Role    *string
	Active  *bool
	MaxOpen *int
}

// Change applies an admin's update, all of it or nothing.
func (a *Attendant) Change(c AttendantChange) error {
	fields := map[string]string{}
	next := *a
	if c.Name != nil {
		name := strings.TrimSpace(*c.Name)
		if p := TextProblem(name); p != "" {
			fields["name"] = p
		} else if name == "" || utf8.RuneCountInString(name) > 100 {
			fields["name"] = "is required, at most 100 characters"
		}
		next.Name = name
	}
	if c.Role != nil {
		if *c.Role != RoleAdmin && *c.Role != RoleAttendant {
			fields["role"] = "must be admin or attendant"
		}
		next.Role = *c.Role
	}
	if c.Active != nil {
		next.Active = *c.Active
	}
	if c.MaxOpen != nil {
		if *c.MaxOpen < 1 || *c.MaxOpen > MaxMaxOpen {
			fields["max_open"] = "must be from 1 to 1000"
		}
		next.MaxOpen = *c.MaxOpen
	}
	if len(fields) > 0 {
		return Invalid(fields)
	}
	*a = next
	return nil
}
