package domain

// JoinTeam puts a new attendance in the queue of its instance's team.
func (a *Attendance) JoinTeam(teamID string) {
	a.TeamID = teamID
}

// TransferToTeam moves the conversation into a team's queue, unassigned,
// for the team's routing (or its people) to pick it up.
func (a *Attendance) TransferToTeam(teamID string) error {
	if a.Status != AttendanceOpen {
		return errAttendanceClosed
	}
	if teamID == "" {
		return InvalidField("team_id", "no such team")
	}
	a.TeamID, a.AttendantID = teamID, ""
	return nil
}

// TakeUnassigned gives the conversation to whoever answered it first; it
// reports whether it was unassigned.
func (a *Attendance) TakeUnassigned(attendantID string) bool {
	if a.Status != AttendanceOpen || a.AttendantID != "" || attendantID == "" {
		return false
	}
	a.AttendantID = attendantID
	return true
}
