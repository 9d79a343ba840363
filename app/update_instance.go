package app

import (
	"context"

	"github.com/zapgate/zapgate/domain"
)

// InstancePatch changes instance settings; nil fields stay as they are.
type InstancePatch struct {
	Name *string
	// SetSendRate applies SendRate: a number per minute (0 = unlimited), or
	// nil to go back to the process default.
	SetSendRate bool
	SendRate    *int
	// Helpdesk: the closing text ("" back to the default) and whether the
	// unanswered are asked for feedback.
	ClosingMessage         *string
	FeedbackWhenUnanswered *bool
	// Business hours and what the client hears by them: texts ("" for
	// none), hours (SetBusinessHours with nil BusinessHours clears them)
	// and the SLA as a Go duration ("" for none).
	GreetingMessage  *string
	AwayMessage      *string
	SetBusinessHours bool
	BusinessHours    *domain.BusinessHours
	FirstResponseSLA *string
	// AttendGroups: whether group messages become attendances.
	AttendGroups *bool
	// Sending safely: the new-contact cap (0 = none) and the warm-up days.
	NewContactsPerDay *int
	WarmupDays        *int
}

// UpdateInstance applies a patch.
func (a *App) UpdateInstance(ctx context.Context, id string, p InstancePatch) (*domain.Instance, error) {
	if !domain.ValidID(id) {
		return nil, domain.NotFound("instance")
	}
	var out *domain.Instance
	err := a.store.InTx(ctx, func(tx Tx) error {
		in, err := tx.LockInstance(ctx, id)
		if err != nil {
			return err
		}
		if p.Name != nil {
			if err := in.Rename(*p.Name); err != nil {
				return err
			}
		}
		if p.SetSendRate {
			if err := in.SetSendRate(p.SendRate); err != nil {
				return err
			}
		}
		if p.ClosingMessage != nil {
			if err := in.SetClosingMessage(*p.ClosingMessage); err != nil {
				return err
			}
		}
		if p.FeedbackWhenUnanswered != nil {
			in.AskFeedbackWhenUnanswered(*p.FeedbackWhenUnanswered)
		}
		if err := a.patchHours(in, p); err != nil {
			return err
		}
		if p.AttendGroups != nil {
			in.SetAttendGroups(*p.AttendGroups)
		}
		if p.NewContactsPerDay != nil {
			if err := in.SetNewContactsPerDay(*p.NewContactsPerDay); err != nil {
				return err
			}
		}
		if p.WarmupDays != nil {
			if err := in.SetWarmupDays(*p.WarmupDays); err != nil {
				return err
			}
		}
		in.Touch(a.now())
		out = in
		return tx.UpdateInstance(ctx, in)
	})
	return out, err
}
