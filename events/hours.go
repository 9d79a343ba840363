package events

import "time"

// AttendanceSLABreached: an attendance waited past its first-response SLA
// without an attendant's reply. Emitted once per attendance.
const AttendanceSLABreached = "attendance.sla_breached"

// AttendanceSLABreachedData is the data of attendance.sla_breached.
type AttendanceSLABreachedData struct {
	AttendanceID string    `json:"attendance_id"`
	InstanceID   string    `json:"instance_id"`
	SLASeconds   float64   `json:"sla_seconds"`
	OpenedAt     time.Time `json:"opened_at"`
}
