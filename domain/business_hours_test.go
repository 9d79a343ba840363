package domain

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"
	_ "time/tzdata" // the zones below, whatever the machine has
)

func mustHours(t *testing.T, js string) *BusinessHours {
	t.Helper()
	h, err := ParseBusinessHours([]byte(js))
	if err != nil {
		t.Fatalf("parse %s: %v", js, err)
	}
	return h
}

func utc(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

func TestBusinessHoursOpen(t *testing.T) {
	const sp = `"timezone":"America/Sao_Paulo"`
	const berlin = `"timezone":"Europe/Berlin"`
	cases := []struct {
		name  string
		hours string
		at    string
		open  bool
	}{
		{"weekday inside", `{` + sp + `,"week":{"mon":[["09:00","18:00"]]}}`, "2026-11-30T12:00:00Z", true},      // mon 09:00 -03
		{"start is inside", `{` + sp + `,"week":{"mon":[["09:00","18:00"]]}}`, "2026-11-30T12:00:00Z", true},     // 09:00 sharp
		{"before start", `{` + sp + `,"week":{"mon":[["09:00","18:00"]]}}`, "2026-11-30T11:59:00Z", false},       // 08:59
		{"end is outside", `{` + sp + `,"week":{"mon":[["09:00","18:00"]]}}`, "2026-11-30T21:00:00Z", false},     // 18:00
		{"empty day", `{` + sp + `,"week":{"mon":[["09:00","18:00"]],"tue":[]}}`, "2026-12-01T12:00:00Z", false}, // tue
		{"day left out", `{` + sp + `,"week":{"mon":[["09:00","18:00"]]}}`, "2026-12-02T12:00:00Z", false},       // wed
		{"two intervals, the gap", `{` + sp + `,"week":{"mon":[["08:00","12:00"],["13:00","17:00"]]}}`, "2026-11-30T15:30:00Z", false},
		{"two intervals, the second", `{` + sp + `,"week":{"mon":[["08:00","12:00"],["13:00","17:00"]]}}`, "2026-11-30T16:30:00Z", true},
		{"24:00 ends the day", `{` + sp + `,"week":{"mon":[["20:00","24:00"]]}}`, "2026-12-01T02:59:00Z", true},                 // mon 23:59
		{"24:00 is not the next day", `{` + sp + `,"week":{"mon":[["20:00","24:00"]]}}`, "2026-12-01T03:00:00Z", false},         // tue 00:00
		{"whole day", `{` + sp + `,"week":{"sun":[["00:00","24:00"]]}}`, "2026-11-29T03:00:00Z", true},                          // sun 00:00
		{"overnight, evening", `{` + sp + `,"week":{"fri":[["22:00","06:00"]]}}`, "2026-12-05T01:30:00Z", true},                 // fri 22:30
		{"overnight, next morning", `{` + sp + `,"week":{"fri":[["22:00","06:00"]]}}`, "2026-12-05T08:59:00Z", true},            // sat 05:59
		{"overnight, ended", `{` + sp + `,"week":{"fri":[["22:00","06:00"]]}}`, "2026-12-05T09:00:00Z", false},                  // sat 06:00
		{"overnight, not the morning before", `{` + sp + `,"week":{"fri":[["22:00","06:00"]]}}`, "2026-12-04T08:00:00Z", false}, // fri 05:00
		{"overnight sunday into monday", `{` + sp + `,"week":{"sun":[["23:00","01:00"]]}}`, "2026-11-30T03:30:00Z", true},       // mon 00:30
		// São Paulo's DST began 2018-11-04 (00:00 -03 became 01:00 -02):
		// 11:30Z is 09:30 on the wall clock, 08:30 at the old offset.
		{"SP DST start, by the new clock", `{` + sp + `,"week":{"sun":[["09:00","18:00"]]}}`, "2018-11-04T11:30:00Z", true},
		{"SP DST start, before opening", `{` + sp + `,"week":{"sun":[["09:00","18:00"]]}}`, "2018-11-04T10:30:00Z", false},
		{"SP DST start, the skipped hour", `{` + sp + `,"week":{"sun":[["00:00","01:00"]]}}`, "2018-11-04T03:30:00Z", false}, // 01:30 -02
		// It ended 2019-02-17 (00:00 -02 became 23:00 -03 on the 16th): the
		// hour before midnight happened twice, both within Saturday's hours.
		{"SP DST end, first 23:30", `{` + sp + `,"week":{"sat":[["23:00","24:00"]]}}`, "2019-02-17T01:30:00Z", true},
		{"SP DST end, second 23:30", `{` + sp + `,"week":{"sat":[["23:00","24:00"]]}}`, "2019-02-17T02:30:00Z", true},
		{"SP DST end, sunday", `{` + sp + `,"week":{"sat":[["23:00","24:00"]]}}`, "2019-02-17T03:30:00Z", false},
		// Berlin 2026-03-29: 02:00 CET became 03:00 CEST.
		{"Berlin spring, opening by the new clock", `{` + berlin + `,"week":{"sun":[["09:00","18:00"]]}}`, "2026-03-29T07:00:00Z", true},
		{"Berlin spring, 08:59 CEST", `{` + berlin + `,"week":{"sun":[["09:00","18:00"]]}}`, "2026-03-29T06:59:00Z", false},
		{"Berlin spring, closing", `{` + berlin + `,"week":{"sun":[["09:00","18:00"]]}}`, "2026-03-29T16:00:00Z", false},
		{"Berlin spring, overnight across the change", `{` + berlin + `,"week":{"sat":[["22:00","04:00"]]}}`, "2026-03-29T01:30:00Z", true}, // 03:30 CEST
		{"Berlin spring, overnight ended", `{` + berlin + `,"week":{"sat":[["22:00","04:00"]]}}`, "2026-03-29T02:00:00Z", false},            // 04:00 CEST
		// Berlin 2026-10-25: 03:00 CEST became 02:00 CET.
		{"Berlin autumn, 08:30 CET", `{` + berlin + `,"week":{"sun":[["09:00","18:00"]]}}`, "2026-10-25T07:30:00Z", false},
		{"Berlin autumn, opening", `{` + berlin + `,"week":{"sun":[["09:00","18:00"]]}}`, "2026-10-25T08:00:00Z", true},
		{"Berlin autumn, 17:59 CET", `{` + berlin + `,"week":{"sun":[["09:00","18:00"]]}}`, "2026-10-25T16:59:00Z", true},
		{"Berlin autumn, the repeated hour", `{` + berlin + `,"week":{"sun":[["02:00","03:00"]]}}`, "2026-10-25T00:30:00Z", true},       // 02:30 CEST
		{"Berlin autumn, the repeated hour again", `{` + berlin + `,"week":{"sun":[["02:00","03:00"]]}}`, "2026-10-25T01:30:00Z", true}, // 02:30 CET
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := mustHours(t, c.hours).Open(utc(c.at)); got != c.open {
				t.Errorf("Open(%s) = %v, want %v", c.at, got, c.open)
			}
		})
	}
}

func TestParseBusinessHoursRefuses(t *testing.T) {
	cases := []struct{ name, js, field string }{
		{"not an object", `[1]`, "business_hours"},
		{"unknown key", `{"timezone":"UTC","days":{}}`, "business_hours"},
		{"no zone", `{"week":{}}`, "business_hours.timezone"},
		{"unknown zone", `{"timezone":"Mars/Olympus","week":{}}`, "business_hours.timezone"},
		{"NUL in zone", "{\"timezone\":\"UTC\\u0000\",\"week\":{}}", "business_hours.timezone"},
		{"unknown day", `{"timezone":"UTC","week":{"monday":[]}}`, "business_hours.week.monday"},
		{"not a pair", `{"timezone":"UTC","week":{"mon":[["09:00"]]}}`, "business_hours.week.mon[0]"},
		{"not a time", `{"timezone":"UTC","week":{"tue":[["09:00","18:00"],["9h","10:00"]]}}`, "business_hours.week.tue[1]"},
		{"minute 60", `{"timezone":"UTC","week":{"mon":[["09:60","18:00"]]}}`, "business_hours.week.mon[0]"},
		{"25:00", `{"timezone":"UTC","week":{"mon":[["09:00","25:00"]]}}`, "business_hours.week.mon[0]"},
		{"24:00 as a start", `{"timezone":"UTC","week":{"mon":[["24:00","02:00"]]}}`, "business_hours.week.mon[0]"},
		{"signed", `{"timezone":"UTC","week":{"mon":[["+9:00","18:00"]]}}`, "business_hours.week.mon[0]"},
		{"empty interval", `{"timezone":"UTC","week":{"wed":[["09:00","09:00"]]}}`, "business_hours.week.wed[0]"},
		{"overlap", `{"timezone":"UTC","week":{"mon":[["09:00","12:00"],["11:00","18:00"]]}}`, "business_hours.week.mon[1]"},
		{"overnight overlaps the next day", `{"timezone":"UTC","week":{"mon":[["22:00","02:00"]],"tue":[["01:00","05:00"]]}}`, "business_hours.week.tue[0]"},
		{"sunday night overlaps monday", `{"timezone":"UTC","week":{"sun":[["22:00","02:00"]],"mon":[["01:00","05:00"]]}}`, "business_hours.week.mon[0]"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := ParseBusinessHours([]byte(c.js))
			if err == nil {
				t.Fatal("accepted")
			}
			if _, ok := fieldsOf(err)[c.field]; !ok {
				t.Errorf("err = %v, want it to name %s", err, c.field)
			}
		})
	}
}

func TestParseBusinessHoursAccepts(t *testing.T) {
	for _, js := range []string{
		`null`,
		`{"timezone":"UTC","week":{}}`,
		`{"timezone":"UTC","week":{"mon":[["09:00","12:00"],["12:00","18:00"]]}}`, // touching
		`{"timezone":"UTC","week":{"mon":[["18:00","09:00"]],"tue":[["09:00","18:00"]]}}`,
		`{"timezone":"UTC","week":{"mon":[["00:00","24:00"]],"tue":[["00:00","24:00"]]}}`,
	} {
		h, err := ParseBusinessHours([]byte(js))
		if err != nil {
			t.Errorf("%s: %v", js, err)
			continue
		}
		if h == nil {
			continue
		}
		b, _ := h.MarshalJSON()
		again, err := ParseBusinessHours(b)
		if err != nil || !reflect.DeepEqual(again.Week, h.Week) {
			t.Errorf("%s: round trip %s: %v", js, b, err)
		}
		if !strings.Contains(string(b), `"sun":[]`) {
			t.Errorf("%s: every day is shown: %s", js, b)
		}
	}
}

func TestFirstResponseSLA(t *testing.T) {
	cases := []struct {
		in    string
		floor time.Duration
		want  time.Duration
		ok    bool
	}{
		{"15m", 0, 15 * time.Minute, true},
		{"", 0, 0, true},
		{"1m", 0, time.Minute, true},
		{"24h", 0, 24 * time.Hour, true},
		{"59s", 0, 0, false},
		{"25h", 0, 0, false},
		{"soon", 0, 0, false},
		{"2s", time.Second, 2 * time.Second, true},
	}
	for _, c := range cases {
		in := &Instance{}
		err := in.SetFirstResponseSLA(c.in, c.floor)
		if (err == nil) != c.ok || in.FirstResponseSLA != c.want {
			t.Errorf("SetFirstResponseSLA(%q, %s) = %s, %v", c.in, c.floor, in.FirstResponseSLA, err)
		}
		if err != nil {
			if _, named := fieldsOf(err)["first_response_sla"]; !named {
				t.Errorf("%q: error names no field: %v", c.in, err)
			}
		}
	}
}

func TestGreetingAndAway(t *testing.T) {
	in := &Instance{GreetingMessage: "hi", AwayMessage: "closed"}
	at := utc("2026-11-30T12:00:00Z")
	if in.GreetingAt(at) != "hi" || in.AwayAt(at) != "" {
		t.Error("without hours: always greeted, never away")
	}
	in.SetBusinessHours(mustHours(t, `{"timezone":"UTC","week":{"mon":[["09:00","18:00"]]}}`))
	if in.GreetingAt(at) != "hi" || in.AwayAt(at) != "" {
		t.Error("within hours: greeted")
	}
	late := at.Add(8 * time.Hour)
	if in.GreetingAt(late) != "" || in.AwayAt(late) != "closed" {
		t.Error("outside hours: away, no greeting")
	}
	att := OpenAttendance("i", "c", at)
	if !att.AwayOnce(late) || att.AwayOnce(late.Add(time.Minute)) {
		t.Error("the away message goes once per attendance")
	}
	att.StartSLA(0)
	if att.SLADueAt != nil {
		t.Error("no SLA, no due time")
	}
	att.StartSLA(time.Minute)
	if att.SLADueAt == nil || !att.SLADueAt.Equal(at.Add(time.Minute)) {
		t.Errorf("due = %v", att.SLADueAt)
	}
}

// fieldsOf is the fields an invalid-input error names.
func fieldsOf(err error) map[string]string {
	var e *Error
	if errors.As(err, &e) {
		return e.Fields
	}
	return nil
}
