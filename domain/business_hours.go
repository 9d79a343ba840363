package domain

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"
)

// weekdays are the keys of BusinessHours.Week, Monday first.
var weekdays = []string{"mon", "tue", "wed", "thu", "fri", "sat", "sun"}

const minutesPerDay = 24 * 60

// Interval is a stretch of one day in wall-clock minutes from midnight;
// an End before Start runs past midnight into the next day.
type Interval struct{ Start, End int }

// Overnight tells whether the interval ends the next day.
func (iv Interval) Overnight() bool { return iv.End < iv.Start }

// BusinessHours are when an instance's people answer, by the wall clock
// of a time zone, so DST changes move them with the clock.
type BusinessHours struct {
	Timezone string
	// Week holds each day's intervals, by index (0 = mon … 6 = sun).
	Week [7][]Interval
	loc  *time.Location
}

// businessHoursJSON is the wire and storage shape:
// {"timezone":"America/Sao_Paulo","week":{"mon":[["09:00","18:00"]]}}.
type businessHoursJSON struct {
	Timezone string                       `json:"timezone"`
	Week     map[string][]json.RawMessage `json:"week"`
}

// ParseBusinessHours reads business hours in their JSON shape and refuses,
// naming the field, anything that is not a valid week; null means none.
func ParseBusinessHours(raw []byte) (*BusinessHours, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return nil, nil
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	var in businessHoursJSON
	if err := dec.Decode(&in); err != nil {
		return nil, InvalidField("business_hours", `must be {"timezone":"Area/City","week":{"mon":[["09:00","18:00"]],…}}`)
	}
	h := &BusinessHours{Timezone: strings.TrimSpace(in.Timezone)}
	if h.Timezone == "" {
		return nil, InvalidField("business_hours.timezone", "is required: an IANA time zone such as America/Sao_Paulo")
	}
	loc, err := time.LoadLocation(h.Timezone)
	if err != nil || TextProblem(h.Timezone) != "" {
		return nil, InvalidField("business_hours.timezone", "is not a known IANA time zone")
	}
	h.loc = loc
	for day := range in.Week {
		if dayIndex(day) < 0 {
			return nil, InvalidField("business_hours.week."+day, "is not a day: use mon, tue, wed, thu, fri, sat, sun")
		}
	}
	for d, day := range weekdays {
		for i, r := range in.Week[day] {
			field := fmt.Sprintf("business_hours.week.%s[%d]", day, i)
			var pair []string
			if err := json.Unmarshal(r, &pair); err != nil || len(pair) != 2 {
				return nil, InvalidField(field, `must be ["HH:MM","HH:MM"]`)
			}
			start, ok1 := clockMinutes(pair[0], false)
			end, ok2 := clockMinutes(pair[1], true)
			if !ok1 || !ok2 {
				return nil, InvalidField(field, "times must be HH:MM from 00:00 to 24:00 (24:00 only as an end)")
			}
			if start == end {
				return nil, InvalidField(field, "must not be empty: the start must differ from the end")
			}
			h.Week[d] = append(h.Week[d], Interval{Start: start, End: end})
		}
	}
	if field, ok := h.overlap(); !ok {
		return nil, InvalidField(field, "overlaps another interval")
	}
	return h, nil
}

// LoadBusinessHours reads hours stored by MarshalJSON; they were valid
// when stored, so an error means the data or the zone database changed.
func LoadBusinessHours(raw []byte) (*BusinessHours, error) {
	h, err := ParseBusinessHours(raw)
	if err != nil {
		return nil, fmt.Errorf("load business hours: %w", err)
	}
	return h, nil
}

// MarshalJSON writes the wire shape, every day present.
func (h *BusinessHours) MarshalJSON() ([]byte, error) {
	out := struct {
		Timezone string                 `json:"timezone"`
		Week     map[string][][2]string `json:"week"`
	}{Timezone: h.Timezone, Week: map[string][][2]string{}}
	for d, day := range weekdays {
		ivs := [][2]string{}
		for _, iv := range h.Week[d] {
			ivs = append(ivs, [2]string{clockText(iv.Start), clockText(iv.End)})
		}
		out.Week[day] = ivs
	}
	return json.Marshal(out)
}

// Open tells whether at falls within the hours, read on the zone's wall
// clock: on a DST change day an interval keeps its clock times.
func (h *BusinessHours) Open(at time.Time) bool {
	t := at.In(h.loc)
	d := (int(t.Weekday()) + 6) % 7 // mon = 0
	m := t.Hour()*60 + t.Minute()
	for _, iv := range h.Week[d] {
		if iv.Overnight() && m >= iv.Start || !iv.Overnight() && m >= iv.Start && m < iv.End {
			return true
		}
	}
	for _, iv := range h.Week[(d+6)%7] { // yesterday's, running past midnight
		if iv.Overnight() && m < iv.End {
			return true
		}
	}
	return false
}

// overlap finds the first interval that overlaps another, on a week that
// wraps from Sunday night into Monday; false when one does.
func (h *BusinessHours) overlap() (string, bool) {
	type span struct {
		from, to int // minutes of the week
		field    string
	}
	const week = 7 * minutesPerDay
	var spans []span
	for d, day := range weekdays {
		for i, iv := range h.Week[d] {
			field := fmt.Sprintf("business_hours.week.%s[%d]", day, i)
			from, to := d*minutesPerDay+iv.Start, d*minutesPerDay+iv.End
			if iv.Overnight() {
				to += minutesPerDay
			}
			if to > week { // Sunday night into Monday
				spans = append(spans, span{0, to - week, field})
				to = week
			}
			spans = append(spans, span{from, to, field})
		}
	}
	sort.SliceStable(spans, func(i, j int) bool { return spans[i].from < spans[j].from })
	for i := 1; i < len(spans); i++ {
		if spans[i].from < spans[i-1].to {
			return spans[i].field, false
		}
	}
	return "", true
}

func dayIndex(day string) int {
	for i, d := range weekdays {
		if d == day {
			return i
		}
	}
	return -1
}

// clockMinutes reads "HH:MM"; 24:00 only when it is an end.
func clockMinutes(s string, end bool) (int, bool) {
	if len(s) != 5 || s[2] != ':' || !digits(s[:2]) || !digits(s[3:]) {
		return 0, false
	}
	hh, mm := int(s[0]-'0')*10+int(s[1]-'0'), int(s[3]-'0')*10+int(s[4]-'0')
	if s == "24:00" {
		return minutesPerDay, end
	}
	if hh > 23 || mm > 59 {
		return 0, false
	}
	return hh*60 + mm, true
}

func clockText(m int) string { return fmt.Sprintf("%02d:%02d", m/60, m%60) }

func digits(s string) bool {
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}
