package app

import (
	"context"
	"time"
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
