package api

import (
	"encoding/json"
	"strings"
	"time"

	"github.com/zapgate/zapgate/app"
	"github.com/zapgate/zapgate/domain"
)

// instanceHoursView is the business-hours part of an instance: hours null
// when none (always open), texts "" when none, the SLA "" when off.
type instanceHoursView struct {
	GreetingMessage  string                `json:"greeting_message"`
	AwayMessage      string                `json:"away_message"`
	BusinessHours    *domain.BusinessHours `json:"business_hours"`
	FirstResponseSLA string                `json:"first_response_sla"`
}

func toInstanceHoursView(in *domain.Instance) instanceHoursView {
	return instanceHoursView{GreetingMessage: in.GreetingMessage, AwayMessage: in.AwayMessage,
		BusinessHours: in.BusinessHours, FirstResponseSLA: shortDuration(in.FirstResponseSLA)}
}

// shortDuration writes d as it would be typed: "15m", not "15m0s".
func shortDuration(d time.Duration) string {
	if d == 0 {
		return ""
	}
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}

// attendanceMilestones are when an attendance was first assigned and its
// SLA: sla_due_at null without one, sla_breached_at set once it was late.
type attendanceMilestones struct {
	AssignedAt    *time.Time `json:"assigned_at"`
	SLADueAt      *time.Time `json:"sla_due_at"`
	SLABreachedAt *time.Time `json:"sla_breached_at"`
}

func toAttendanceMilestones(a *domain.Attendance) attendanceMilestones {
	return attendanceMilestones{AssignedAt: a.AssignedAt, SLADueAt: a.SLADueAt, SLABreachedAt: a.SLABreachedAt}
}

// bindHoursPatch reads the business-hours fields of PATCH
// /v1/instances/{id}; null clears a text, the hours or the SLA.
func bindHoursPatch(req map[string]json.RawMessage, p *app.InstancePatch) error {
	for _, f := range []struct {
		name string
		dst  **string
	}{{"greeting_message", &p.GreetingMessage}, {"away_message", &p.AwayMessage}, {"first_response_sla", &p.FirstResponseSLA}} {
		field, dst := f.name, f.dst
		raw, ok := req[field]
		if !ok {
			continue
		}
		var text string
		if string(raw) != "null" {
			if err := json.Unmarshal(raw, &text); err != nil {
				return domain.InvalidField(field, "must be a string or null")
			}
		}
		*dst = &text
	}
	if raw, ok := req["business_hours"]; ok {
		h, err := domain.ParseBusinessHours(raw)
		if err != nil {
			return err
		}
		p.SetBusinessHours, p.BusinessHours = true, h
	}
	return nil
}
