package domain

import (
	"sort"
	"time"
)

// Member is what routing knows of one member of a team, read under the
// lock that keeps routers of the team (and of the member) apart.
type Member struct {
	AttendantID string
	// Online: active, a dashboard of theirs is connected and they have not
	// chosen away.
	Online  bool
	Open    int // open attendances assigned to them, in any team
	MaxOpen int
	// LastAssignedAt is when they were last given an attendance; zero:
	// never, which is the longest wait of all.
	LastAssignedAt time.Time
}

// Room tells how many more attendances routing may give the member.
func (m Member) Room() int {
	if !m.Online || m.Open >= m.MaxOpen {
		return 0
	}
	return m.MaxOpen - m.Open
}

// Waiting is an unassigned open attendance in a team's queue.
type Waiting struct {
	AttendanceID string
	OpenedAt     time.Time
}

// Assignment is one routing decision.
type Assignment struct {
	AttendanceID string
	AttendantID  string
}

// Route decides who takes which waiting attendance: oldest first, each to
// the online member with room who has the fewest open attendances, the
// one who has waited longest since their last assignment on a tie (then
// the smaller id, so the decision is the same wherever it is made).
// Attendances nobody has room for stay waiting. Route has no I/O: the
// caller reads the state under a lock and applies the result.
func Route(members []Member, waiting []Waiting) []Assignment {
	ms := make([]routed, 0, len(members))
	for _, m := range members {
		ms = append(ms, routed{Member: m})
	}
	queue := append([]Waiting(nil), waiting...)
	sort.SliceStable(queue, func(i, j int) bool {
		if !queue[i].OpenedAt.Equal(queue[j].OpenedAt) {
			return queue[i].OpenedAt.Before(queue[j].OpenedAt)
		}
		return queue[i].AttendanceID < queue[j].AttendanceID
	})
	var out []Assignment
	turn := 0 // orders the assignments made here after every earlier one
	for _, w := range queue {
		best := -1
		for i := range ms {
			if ms[i].Room() > 0 && (best < 0 || ms[i].before(ms[best])) {
				best = i
			}
		}
		if best < 0 {
			break // nobody has room: the rest wait too
		}
		turn++
		ms[best].Open++
		ms[best].turn = turn
		out = append(out, Assignment{AttendanceID: w.AttendanceID, AttendantID: ms[best].AttendantID})
	}
	return out
}

// routed is a member as Route sees it while it assigns.
type routed struct {
	Member
	turn int // > 0: assigned by this Route call, in this order
}

// before tells whether m should be chosen over o.
func (m routed) before(o routed) bool {
	if m.Open != o.Open {
		return m.Open < o.Open
	}
	// An assignment made in this call is later than any made before it.
	if (m.turn > 0) != (o.turn > 0) {
		return m.turn == 0
	}
	if m.turn != o.turn {
		return m.turn < o.turn
	}
	if !m.LastAssignedAt.Equal(o.LastAssignedAt) {
		return m.LastAssignedAt.Before(o.LastAssignedAt)
	}
	return m.AttendantID < o.AttendantID
}
