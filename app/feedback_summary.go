package app

import (
	"context"

	"github.com/zapgate/zapgate/domain"
)

// FeedbackSummary is the average rating, how many answered and the latest
// answers with their comments.
type FeedbackSummary struct {
	Count   int            `json:"count"`
	Average float64        `json:"average"`
	Recent  []FeedbackItem `json:"-"`
}

// recentFeedback is how many answers the admin's view shows.
const recentFeedback = 20

// FeedbackSummary is the average rating, over one instance or all, with the
// latest answers.
func (a *App) FeedbackSummary(ctx context.Context, instanceID string) (FeedbackSummary, error) {
	if instanceID != "" && !domain.ValidID(instanceID) {
		return FeedbackSummary{}, domain.InvalidField("instance", "must be an instance id")
	}
	sum, err := a.feedback.FeedbackSummary(ctx, instanceID)
	if err != nil {
		return sum, err
	}
	sum.Recent, err = a.tools.RecentFeedback(ctx, instanceID, recentFeedback)
	return sum, err
}
