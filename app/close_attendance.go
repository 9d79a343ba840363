package app

import (
	"context"
	"fmt"

	"github.com/zapgate/zapgate/domain"
	"github.com/zapgate/zapgate/events"
)

// CloseAttendance closes by hand.
func (a *App) CloseAttendance(ctx context.Context, id string) (*domain.Attendance, error) {
	if !domain.ValidID(id) {
		return nil, domain.NotFound("attendance")
	}
	var out *domain.Attendance
	err := a.store.InTx(ctx, func(tx Tx) error {
		att, err := a.closeAttendance(ctx, tx, id, domain.ClosedManual)
		out = att
		return err
	})
	if err == nil && out.AttendantID != "" {
		// Their room is the next waiting attendance's.
		a.routeFor(ctx, []string{out.AttendantID})
	}
	return out, err
}

// closeAttendance is one close: the status, a one-time feedback link sent to
// the client through the send pipeline, and attendance.closed, together.
func (a *App) closeAttendance(ctx context.Context, tx Tx, id string, reason domain.CloseReason) (*domain.Attendance, error) {
	now := a.now()
	var att *domain.Attendance
	if err := tx.UpdateAttendance(ctx, id, func(a *domain.Attendance) error {
		att = a
		return a.Close(reason, now)
	}); err != nil {
		return att, err
	}
	client, err := tx.ClientByID(ctx, att.ClientID)
	if err != nil {
		return att, err
	}
	token := domain.NewSecret("zgf_", 24)
	if err := tx.InsertFeedbackToken(ctx, domain.HashSecret(token), att.ID, now.Add(domain.FeedbackTokenTTL)); err != nil {
		return att, err
	}
	text := fmt.Sprintf("Thank you for talking to us! How did we do? Rate this conversation in one tap: %s/feedback/%s", a.publicURL, token)
	m, err := domain.NewOutgoing(domain.OutgoingDraft{InstanceID: att.InstanceID, To: client.Address(), Type: string(domain.TypeText), Text: text}, now)
	if err != nil {
		return att, err
	}
	if err := m.FileInto(att.ID); err != nil {
		return att, err
	}
	if _, err := tx.InsertMessage(ctx, m); err != nil {
		return att, err
	}
	return att, tx.Publish(ctx, sendCommand(m, now), newEvent(events.AttendanceClosed, att.InstanceID, now,
		events.AttendanceClosedData{AttendanceID: att.ID, Reason: string(reason), ClosedAt: now}))
}
