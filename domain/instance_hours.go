package domain

import (
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// SLA bounds: an SLA below a minute is noise, above a day is not a first
// response. Tests may lower the minimum (SetFirstResponseSLA's floor).
const (
	MinFirstResponseSLA = time.Minute
	MaxFirstResponseSLA = 24 * time.Hour
)

// SetGreetingMessage sets the text sent when an attendance opens within
// business hours; "" sends none.
func (i *Instance) SetGreetingMessage(text string) error {
	t, err := clientText("greeting_message", text)
	if err == nil {
		i.GreetingMessage = t
	}
	return err
}

// SetAwayMessage sets the text sent once per attendance when the client
// writes outside business hours; "" sends none.
func (i *Instance) SetAwayMessage(text string) error {
	t, err := clientText("away_message", text)
	if err == nil {
		i.AwayMessage = t
	}
	return err
}

// SetBusinessHours sets the hours (ParseBusinessHours); nil means always
// open.
func (i *Instance) SetBusinessHours(h *BusinessHours) { i.BusinessHours = h }

// SetFirstResponseSLA reads a Go duration from floor (MinFirstResponseSLA
// unless a test lowered it) to MaxFirstResponseSLA; "" turns the SLA off.
func (i *Instance) SetFirstResponseSLA(s string, floor time.Duration) error {
	s = strings.TrimSpace(s)
	if s == "" {
		i.FirstResponseSLA = 0
		return nil
	}
	if floor <= 0 {
		floor = MinFirstResponseSLA
	}
	d, err := time.ParseDuration(s)
	if err != nil || d < floor || d > MaxFirstResponseSLA {
		return InvalidField("first_response_sla", fmt.Sprintf(`must be a duration from %s to 24h such as "15m", or "" for none`, floor))
	}
	i.FirstResponseSLA = d
	return nil
}

// Open tells whether at is within business hours; without hours, always.
func (i *Instance) Open(at time.Time) bool {
	return i.BusinessHours == nil || i.BusinessHours.Open(at)
}

// GreetingAt is the greeting for an attendance opened at at: "" outside
// business hours or when the instance has none.
func (i *Instance) GreetingAt(at time.Time) string {
	if !i.Open(at) {
		return ""
	}
	return i.GreetingMessage
}

// AwayAt is the away message for a client writing at at: "" within
// business hours or when the instance has none.
func (i *Instance) AwayAt(at time.Time) string {
	if i.Open(at) {
		return ""
	}
	return i.AwayMessage
}

// clientText checks a text the client will read.
func clientText(field, text string) (string, error) {
	text = strings.TrimSpace(text)
	if p := TextProblem(text); p != "" {
		return "", InvalidField(field, p)
	}
	if utf8.RuneCountInString(text) > MaxClosingMessageLen {
		return "", InvalidField(field, fmt.Sprintf("must be at most %d characters", MaxClosingMessageLen))
	}
	return text, nil
}

// StartSLA sets when the first attendant reply is due; sla 0 sets none.
func (a *Attendance) StartSLA(sla time.Duration) {
	if sla > 0 {
		due := a.OpenedAt.Add(sla)
		a.SLADueAt = &due
	}
}

// AwayOnce records that the away message goes out now; false when it
// already went, since a client hears it once per attendance.
func (a *Attendance) AwayOnce(now time.Time) bool {
	if a.AwaySentAt != nil {
		return false
	}
	a.AwaySentAt = &now
	return true
}

// StampAssigned records the first assignment's time once the attendance
// has an attendant; stores call it on every write, since assignments
// come from many paths (routing, a reply, a merge, by hand).
func (a *Attendance) StampAssigned(now time.Time) {
	if a.AttendantID != "" && a.AssignedAt == nil {
		a.AssignedAt = &now
	}
}

// SLA is how long the attendance had for its first reply; 0 without one.
func (a *Attendance) SLA() time.Duration {
	if a.SLADueAt == nil {
		return 0
	}
	return a.SLADueAt.Sub(a.OpenedAt)
}
