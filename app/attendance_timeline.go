package app

import (
	"context"

	"github.com/zapgate/zapgate/domain"
)

// AttendanceTimeline is an attendance with its messages and private notes
// in time order: notes slot in among the messages, which keep their own
// order.
func (a *App) AttendanceTimeline(ctx context.Context, id string) (*AttendanceView, []TimelineItem, error) {
	v, msgs, err := a.GetAttendance(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	notes, err := a.tools.AttendanceNotes(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	return v, mergeTimeline(msgs, notes), nil
}

// mergeTimeline puts each note before the first message written after it.
func mergeTimeline(msgs []domain.Message, notes []domain.Note) []TimelineItem {
	out := make([]TimelineItem, 0, len(msgs)+len(notes))
	n := 0
	for i := range msgs {
		for n < len(notes) && notes[n].CreatedAt.Before(msgs[i].CreatedAt) {
			out = append(out, TimelineItem{Note: &notes[n]})
			n++
		}
		out = append(out, TimelineItem{Message: &msgs[i]})
	}
	for ; n < len(notes); n++ {
		out = append(out, TimelineItem{Note: &notes[n]})
	}
	return out
}
