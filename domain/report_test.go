package domain

import (
	"errors"
	"testing"
	"time"
)

func TestNewReportFilter(t *testing.T) {
	now := time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC)
	id := NewID(now)
	tests := []struct {
		name                 string
		from, to, inst, team string
		att                  string
		wantField            string
		wantFrom, wantTo     time.Time
	}{
		{name: "defaults to the last 7 days", wantFrom: now.Add(-7 * 24 * time.Hour), wantTo: now},
		{name: "explicit range", from: "2026-01-01T00:00:00Z", to: "2026-02-01T00:00:00-03:00",
			wantFrom: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), wantTo: time.Date(2026, 2, 1, 3, 0, 0, 0, time.UTC)},
		{name: "from only ends now", from: "2026-03-01T00:00:00Z", wantFrom: time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC), wantTo: now},
		{name: "ids", inst: id, team: id, att: id, wantFrom: now.Add(-7 * 24 * time.Hour), wantTo: now},
		{name: "366 days is fine", from: "2025-01-01T00:00:00Z", to: "2026-01-02T00:00:00Z",
			wantFrom: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC), wantTo: time.Date(2026, 1, 2, 0, 0, 0, 0, time.UTC)},
		{name: "bad from", from: "yesterday", wantField: "from"},
		{name: "bad to", to: "2026-13-01", wantField: "to"},
		{name: "from after to", from: "2026-03-11T00:00:00Z", wantField: "from"},
		{name: "from equals to", from: "2026-03-01T00:00:00Z", to: "2026-03-01T00:00:00Z", wantField: "from"},
		{name: "more than 366 days", from: "2025-01-01T00:00:00Z", to: "2026-01-02T00:00:01Z", wantField: "to"},
		{name: "bad instance", inst: "x", wantField: "instance_id"},
		{name: "bad team", team: "x", wantField: "team_id"},
		{name: "bad attendant", att: "x", wantField: "attendant_id"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := NewReportFilter(tt.from, tt.to, tt.inst, tt.team, tt.att, now)
			if tt.wantField != "" {
				var de *Error
				if !errors.As(err, &de) || de.Fields[tt.wantField] == "" {
					t.Fatalf("err = %v, want invalid %s", err, tt.wantField)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !f.From.Equal(tt.wantFrom) || !f.To.Equal(tt.wantTo) {
				t.Fatalf("range = %v..%v, want %v..%v", f.From, f.To, tt.wantFrom, tt.wantTo)
			}
			if f.InstanceID != tt.inst || f.TeamID != tt.team || f.AttendantID != tt.att {
				t.Fatalf("ids = %+v", f)
			}
		})
	}
}
