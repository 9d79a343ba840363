package app

import (
	"context"

	"github.com/zapgate/zapgate/domain"
	"github.com/zapgate/zapgate/events"
)

var (
	errFeedbackGiven   = domain.Conflict("feedback_already_given", "this link was already used: thank you!")
	errFeedbackExpired = &domain.Error{Kind: domain.KindGone, Code: "feedback_expired", Message: "this feedback link has expired"}
)

// GiveFeedback stores a client's rating once per link and emits
// feedback.received.
func (a *App) GiveFeedback(ctx context.Context, token string, rating int, comment string) (*domain.Feedback, error) {
	hash := domain.HashSecret(token)
	var out *domain.Feedback
	err := a.store.InTx(ctx, func(tx Tx) error {
		t, err := tx.LockFeedbackToken(ctx, hash)
		if err != nil {
			return err
		}
		now := a.now()
		if t.UsedAt != nil {
			return errFeedbackGiven
		}
		if !now.Before(t.ExpiresAt) {
			return errFeedbackExpired
		}
		f, err := domain.NewFeedback(t.AttendanceID, rating, comment, now)
		if err != nil {
			return err
		}
		if err := tx.UseFeedbackToken(ctx, hash, now); err != nil {
			return err
		}
		if err := tx.InsertFeedback(ctx, f); err != nil {
			return err
		}
		out = f
		return tx.Publish(ctx, newEvent(events.FeedbackReceived, t.InstanceID, now,
			events.FeedbackGiven{AttendanceID: f.AttendanceID, Rating: f.Rating, Comment: f.Comment}))
	})
	return out, err
}
