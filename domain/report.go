package domain

import (
	"time"
)

// DefaultReportSpan is the window a report covers when no from is given.
const DefaultReportSpan = 7 * 24 * time.Hour

// MaxReportSpan bounds a report so one request cannot scan years.
const MaxReportSpan = 366 * 24 * time.Hour

// ReportFilter is which attendances a report counts: those opened (and,
// for the closing figures, closed) in [From, To), narrowed to one
// instance, team or attendant when their ids are set.
type ReportFilter struct {
	From, To    time.Time
	InstanceID  string
	TeamID      string
	AttendantID string
}

// NewReportFilter reads the report's query: from and to are RFC 3339; a
// missing to is now, a missing from is DefaultReportSpan before to.
func NewReportFilter(from, to, instanceID, teamID, attendantID string, now time.Time) (ReportFilter, error) {
	f := ReportFilter{To: now.UTC(), InstanceID: instanceID, TeamID: teamID, AttendantID: attendantID}
	if to != "" {
		t, err := time.Parse(time.RFC3339, to)
		if err != nil {
			return ReportFilter{}, InvalidField("to", "must be an RFC 3339 time")
		}
		f.To = t.UTC()
	}
	f.From = f.To.Add(-DefaultReportSpan)
	if from != "" {
		t, err := time.Parse(time.RFC3339, from)
		if err != nil {
			return ReportFilter{}, InvalidField("from", "must be an RFC 3339 time")
		}
		f.From = t.UTC()
	}
	if !f.From.Before(f.To) {
		return ReportFilter{}, InvalidField("from", "must be before to")
	}
	if f.To.Sub(f.From) > MaxReportSpan {
		return ReportFilter{}, InvalidField("to", "must be at most 366 days after from")
	}
	for _, id := range []struct{ field, v string }{{"instance_id", instanceID}, {"team_id", teamID}, {"attendant_id", attendantID}} {
		if id.v != "" && !ValidID(id.v) {
			return ReportFilter{}, InvalidField(id.field, "must be an id")
		}
	}
	return f, nil
}
