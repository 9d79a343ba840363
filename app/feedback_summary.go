package app

import (
	"context"

	"github.com/zapgate/zapgate/domain"
)

// FeedbackSummary is the average rating and how many answered.
type FeedbackSummary struct {
	Count   int     `json:"count"`
	Average float64 `json:"average"`
}

// FeedbackSummary is the average rating, over one instance or all.
func (a *App) FeedbackSummary(ctx context.Context, instanceID string) (FeedbackSummary, error) {
	if instanceID != "" && !domain.ValidID(instanceID) {
		return FeedbackSummary{}, domain.InvalidField("instance", "must be an instance id")
	}
	return a.feedback.FeedbackSummary(ctx, instanceID)
}
