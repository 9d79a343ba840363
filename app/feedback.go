package app

import (
	"context"
	"time"

	"github.com/zapgate/zapgate/domain"
	"github.com/zapgate/zapgate/events"
)

// FeedbackStore keeps feedback tokens and answers.
type FeedbackStore interface {
	FeedbackToken(ctx context.Context, hash []byte) (*FeedbackToken, error)
	FeedbackSummary(ctx context.Context, instanceID string) (FeedbackSummary, error)
}

// FeedbackToken is a one-time link to rate an attendance.
type FeedbackToken struct {
	AttendanceID string
	InstanceID   string
	ExpiresAt    time.Time
	UsedAt       *time.Time
}

// FeedbackSummary is the average rating and how many answered.
type FeedbackSummary struct {
	Count   int     `json:"count"`
	Average float64 `json:"average"`
}

var (
	errFeedbackGiven   = domain.Conflict("feedback_already_given", "this link was already used: thank you!")
	errFeedbackExpired = &domain.Error{Kind: domain.KindGone, Code: "feedback_expired", Message: "this feedback link has expired"}
)

// FeedbackState tells the public page what to show for a link.
func (a *App) FeedbackState(ctx context.Context, token string) (string, error) {
	t, err := a.feedback.FeedbackToken(ctx, domain.HashSecret(token))
	if err != nil {
		return "", err
	}
	switch {
	case t.UsedAt != nil:
		return "used", nil
	case !a.now().Before(t.ExpiresAt):
		return "expired", nil
	}
	return "open", nil
}

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

// FeedbackSummary is the average rating, over one instance or all.
func (a *App) FeedbackSummary(ctx context.Context, instanceID string) (FeedbackSummary, error) {
	if instanceID != "" && !domain.ValidID(instanceID) {
		return FeedbackSummary{}, domain.InvalidField("instance", "must be an instance id")
	}
	return a.feedback.FeedbackSummary(ctx, instanceID)
}
