package app

import (
	"context"
	"time"

	"github.com/zapgate/zapgate/domain"
)

// ReportStore computes the helpdesk's figures in the database: percentiles
// and averages over the attendance rows' own timestamps, never messages.
type ReportStore interface {
	AttendanceReport(ctx context.Context, f domain.ReportFilter) (AttendanceReport, error)
	// EachReportRow calls fn for every attendance opened in the range, in
	// opening order, as the rows arrive; fn's error stops the walk.
	EachReportRow(ctx context.Context, f domain.ReportFilter, fn func(ReportRow) error) error
}

// Percentiles are seconds; nil when nothing was measured.
type Percentiles struct {
	P50 *float64 `json:"p50_s"`
	P90 *float64 `json:"p90_s"`
}

// CSAT is the customers' ratings (1–5) of the attendances closed in range.
type CSAT struct {
	Average *float64 `json:"average"`
	Count   int      `json:"count"`
}

// AttendanceReport: opened counts attendances opened in range, closed
// those closed in range; first response is measured on the opened ones
// that were answered, resolution and CSAT on the closed ones. The
// per-attendant and per-team rows split the closed ones.
type AttendanceReport struct {
	Opened        int               `json:"opened"`
	Closed        int               `json:"closed"`
	FirstResponse Percentiles       `json:"first_response"`
	Resolution    Percentiles       `json:"resolution"`
	CSAT          CSAT              `json:"csat"`
	ByAttendant   []AttendantReport `json:"by_attendant"`
	ByTeam        []TeamReport      `json:"by_team"`
	PerDay        []DayReport       `json:"per_day"`
}

// AttendantReport is one attendant's closed attendances in range.
type AttendantReport struct {
	AttendantID      string   `json:"attendant_id"`
	Name             string   `json:"name"`
	Closed           int      `json:"closed"`
	FirstResponseP50 *float64 `json:"first_response_p50_s"`
	CSATAverage      *float64 `json:"csat_average"`
}

// TeamReport is one team's closed attendances in range.
type TeamReport struct {
	TeamID           string   `json:"team_id"`
	Name             string   `json:"name"`
	Closed           int      `json:"closed"`
	FirstResponseP50 *float64 `json:"first_response_p50_s"`
	CSATAverage      *float64 `json:"csat_average"`
}

// DayReport is one UTC day of the range, for the chart.
type DayReport struct {
	Date   string `json:"date"` // YYYY-MM-DD
	Opened int    `json:"opened"`
	Closed int    `json:"closed"`
}

// ReportRow is one attendance of the CSV export.
type ReportRow struct {
	ID            string
	InstanceID    string
	TeamName      string
	AttendantName string
	ClientPhone   string
	ClientLID     string
	ClientName    string
	OpenedAt      time.Time
	FirstReplyAt  *time.Time
	ClosedAt      *time.Time
	ClosedReason  string
	Rating        *int
	Comment       string
	Labels        []string
}

// AttendanceReport is the figures of the attendances in f's range.
func (a *App) AttendanceReport(ctx context.Context, f domain.ReportFilter) (AttendanceReport, error) {
	if a.reports == nil {
		return AttendanceReport{}, domain.NotFound("report")
	}
	return a.reports.AttendanceReport(ctx, f)
}

// ExportAttendances streams the attendances opened in f's range to fn.
func (a *App) ExportAttendances(ctx context.Context, f domain.ReportFilter, fn func(ReportRow) error) error {
	if a.reports == nil {
		return domain.NotFound("report")
	}
	return a.reports.EachReportRow(ctx, f, fn)
}

// ReportFilter reads a report's query against the clock.
func (a *App) ReportFilter(from, to, instanceID, teamID, attendantID string) (domain.ReportFilter, error) {
	return domain.NewReportFilter(from, to, instanceID, teamID, attendantID, a.now())
}
