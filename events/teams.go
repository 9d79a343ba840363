package events

// Helpdesk routing events.
const (
	AttendanceAssigned    = "attendance.assigned"
	AttendanceTransferred = "attendance.transferred"
)

// ByRouting is the By of an assignment routing made.
const ByRouting = "routing"

// AttendanceAssignedData is the data of attendance.assigned: who took the
// attendance and who decided it ("routing", or the id of the attendant, or
// "admin" for the admin token).
type AttendanceAssignedData struct {
	AttendanceID string `json:"attendance_id"`
	AttendantID  string `json:"attendant_id"`
	By           string `json:"by"`
	TeamID       string `json:"team_id,omitempty"`
}

// AttendanceTransferredData is the data of attendance.transferred: where
// an attendance went (an attendant, or a team's queue: attendant_id ""),
// from whom, and the note left for the next one.
type AttendanceTransferredData struct {
	AttendanceID    string `json:"attendance_id"`
	FromAttendantID string `json:"from_attendant_id"`
	AttendantID     string `json:"attendant_id"`
	TeamID          string `json:"team_id"`
	Note            string `json:"note"`
	By              string `json:"by"`
}
