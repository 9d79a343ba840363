package app

import (
	"testing"
	"time"

	"github.com/zapgate/zapgate/domain"
)

func TestHoursReply(t *testing.T) {
	hours, err := domain.ParseBusinessHours([]byte(`{"timezone":"UTC","week":{"mon":[["09:00","18:00"]]}}`))
	if err != nil {
		t.Fatal(err)
	}
	within := time.Date(2026, 11, 30, 10, 0, 0, 0, time.UTC) // a Monday
	outside := within.Add(10 * time.Hour)
	texts := &domain.Instance{GreetingMessage: "hi", AwayMessage: "away", BusinessHours: hours}
	cases := []struct {
		name     string
		in       *domain.Instance
		created  bool
		awaySent bool
		at       time.Time
		want     string
	}{
		{"new, within hours: greeting", texts, true, false, within, "hi"},
		{"later, within hours: nothing", texts, false, false, within, ""},
		{"new, outside: away", texts, true, false, outside, "away"},
		{"later, outside, first time: away", texts, false, false, outside, "away"},
		{"later, outside, away already sent: nothing", texts, false, true, outside, ""},
		{"no hours: always greeted", &domain.Instance{GreetingMessage: "hi", AwayMessage: "away"}, true, false, outside, "hi"},
		{"outside, no away text: nothing, no greeting", &domain.Instance{GreetingMessage: "hi", BusinessHours: hours}, true, false, outside, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			att := domain.OpenAttendance("i", "c", c.at)
			if c.awaySent {
				att.AwayOnce(c.at)
			}
			if got := hoursReply(c.in, att, c.created, c.at, c.at); got != c.want {
				t.Errorf("hoursReply = %q, want %q", got, c.want)
			}
			if c.want == "away" && att.AwaySentAt == nil {
				t.Error("the away message was not marked sent")
			}
		})
	}
}
