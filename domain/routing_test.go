package domain

import (
	"errors"
	"reflect"
	"testing"
	"time"
)

func TestRoute(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 9, 0, 0, 0, time.UTC)
	at := func(min int) time.Time { return t0.Add(time.Duration(min) * time.Minute) }
	on := func(id string, open, max int, last time.Time) Member {
		return Member{AttendantID: id, Online: true, Open: open, MaxOpen: max, LastAssignedAt: last}
	}
	w := func(id string, min int) Waiting { return Waiting{AttendanceID: id, OpenedAt: at(min)} }
	tests := []struct {
		name    string
		members []Member
		waiting []Waiting
		want    []Assignment
	}{
		{"nobody waiting", []Member{on("a", 0, 10, time.Time{})}, nil, nil},
		{"no members: it waits", nil, []Waiting{w("x", 0)}, nil},
		{"the fewest open wins", []Member{on("a", 3, 10, at(0)), on("b", 1, 10, at(5))},
			[]Waiting{w("x", 0)}, []Assignment{{"x", "b"}}},
		{"a tie goes to who waited longest", []Member{on("a", 1, 10, at(5)), on("b", 1, 10, at(2))},
			[]Waiting{w("x", 0)}, []Assignment{{"x", "b"}}},
		{"never assigned waited longest of all", []Member{on("a", 1, 10, at(1)), on("b", 1, 10, time.Time{})},
			[]Waiting{w("x", 0)}, []Assignment{{"x", "b"}}},
		{"a full tie goes to the smaller id", []Member{on("b", 0, 10, time.Time{}), on("a", 0, 10, time.Time{})},
			[]Waiting{w("x", 0)}, []Assignment{{"x", "a"}}},
		{"a burst alternates", []Member{on("a", 0, 10, at(1)), on("b", 0, 10, at(2))},
			[]Waiting{w("x1", 1), w("x2", 2), w("x3", 3), w("x4", 4)},
			[]Assignment{{"x1", "a"}, {"x2", "b"}, {"x3", "a"}, {"x4", "b"}}},
		{"offline members are skipped", []Member{{AttendantID: "a", Online: false, MaxOpen: 10}, on("b", 5, 10, at(0))},
			[]Waiting{w("x", 0)}, []Assignment{{"x", "b"}}},
		{"away members (not online) are skipped", []Member{{AttendantID: "a", MaxOpen: 10}},
			[]Waiting{w("x", 0)}, nil},
		{"capacity is never exceeded", []Member{on("a", 1, 2, at(0)), on("b", 2, 2, at(0))},
			[]Waiting{w("x1", 1), w("x2", 2), w("x3", 3)}, []Assignment{{"x1", "a"}}},
		{"over capacity already (max_open lowered) takes nothing", []Member{on("a", 5, 2, at(0))},
			[]Waiting{w("x", 1)}, nil},
		{"the waiting queue goes oldest first", []Member{on("a", 0, 1, at(0))},
			[]Waiting{w("new", 9), w("old", 1), w("mid", 5)}, []Assignment{{"old", "a"}}},
		{"same opening time: the smaller id first", []Member{on("a", 0, 2, at(0))},
			[]Waiting{w("y", 1), w("x", 1)}, []Assignment{{"x", "a"}, {"y", "a"}}},
		{"room for some: the oldest go", []Member{on("a", 0, 1, at(0)), on("b", 0, 1, at(1))},
			[]Waiting{w("x3", 3), w("x1", 1), w("x2", 2)}, []Assignment{{"x1", "a"}, {"x2", "b"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Route(tt.members, tt.waiting)
			if !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("Route = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestPresenceOf(t *testing.T) {
	tests := []struct {
		name      string
		active    bool
		away      bool
		connected bool
		want      Presence
	}{
		{"connected", true, false, true, Online},
		{"connected, chose away", true, true, true, Away},
		{"not connected", true, false, false, Offline},
		{"away and gone", true, true, false, Offline},
		{"deactivated", false, false, true, Offline},
	}
	for _, tt := range tests {
		a := Attendant{Active: tt.active, Away: tt.away}
		if got := a.PresenceOf(tt.connected); got != tt.want {
			t.Errorf("%s: %s, want %s", tt.name, got, tt.want)
		}
	}
}

func TestAttendantChange(t *testing.T) {
	ptr := func(n int) *int { return &n }
	s := func(v string) *string { return &v }
	tests := []struct {
		name  string
		c     AttendantChange
		field string
	}{
		{"max_open 0", AttendantChange{MaxOpen: ptr(0)}, "max_open"},
		{"max_open 1001", AttendantChange{MaxOpen: ptr(1001)}, "max_open"},
		{"bad role", AttendantChange{Role: s("boss")}, "role"},
		{"empty name", AttendantChange{Name: s(" ")}, "name"},
		{"NUL in name", AttendantChange{Name: s("a\x00")}, "name"},
		{"fine", AttendantChange{MaxOpen: ptr(1000), Role: s(RoleAdmin), Name: s("Ana")}, ""},
	}
	for _, tt := range tests {
		a := Attendant{Name: "x", Role: RoleAttendant, Active: true, MaxOpen: DefaultMaxOpen}
		err := a.Change(tt.c)
		if tt.field == "" {
			if err != nil || a.MaxOpen != 1000 || a.Role != RoleAdmin || a.Name != "Ana" {
				t.Errorf("%s: %v %+v", tt.name, err, a)
			}
			continue
		}
		var de *Error
		if !errors.As(err, &de) || de.Fields[tt.field] == "" {
			t.Errorf("%s: %v, want a reason for %s", tt.name, err, tt.field)
		}
		if a.MaxOpen != DefaultMaxOpen || a.Name != "x" {
			t.Errorf("%s: changed on error: %+v", tt.name, a)
		}
	}
}

func TestNewTeam(t *testing.T) {
	now := time.Now()
	id := NewID(now)
	tests := []struct {
		name      string
		team      string
		instances []string
		routing   string
		field     string
	}{
		{"fine, default routing", "Sales", []string{id, id}, "", ""},
		{"no name", "", nil, "", "name"},
		{"bad instance id", "Sales", []string{"nope"}, "", "instance_ids"},
		{"bad routing", "Sales", nil, "random", "routing"},
	}
	for _, tt := range tests {
		team, err := NewTeam(tt.team, tt.instances, nil, tt.routing, now)
		if tt.field == "" {
			if err != nil || team.Routing != RoundRobin || len(team.InstanceIDs) != 1 || team.AttendantIDs == nil {
				t.Errorf("%s: %v %+v", tt.name, err, team)
			}
			continue
		}
		var de *Error
		if !errors.As(err, &de) || de.Fields[tt.field] == "" {
			t.Errorf("%s: %v, want a reason for %s", tt.name, err, tt.field)
		}
	}
}
