package app

import (
	"context"
	"fmt"
	"time"

	"github.com/zapgate/zapgate/domain"
	"github.com/zapgate/zapgate/events"
)

// CreateInstance stores a new instance and returns it with its token, which
// is never shown again.
func (a *App) CreateInstance(ctx context.Context, name string) (*domain.Instance, string, error) {
	now := a.now()
	in, token, err := domain.NewInstance(name, now)
	if err != nil {
		return nil, "", err
	}
	err = a.store.InTx(ctx, func(tx Tx) error {
		if err := tx.InsertInstance(ctx, in); err != nil {
			return err
		}
		return tx.Publish(ctx, instanceStatusEvent(in, now))
	})
	if err != nil {
		return nil, "", fmt.Errorf("create instance: %w", err)
	}
	return in, token, nil
}

// GetInstance returns one instance.
func (a *App) GetInstance(ctx context.Context, id string) (*domain.Instance, error) {
	if !domain.ValidID(id) {
		return nil, domain.NotFound("instance")
	}
	return a.store.Instance(ctx, id)
}

// ListInstances pages through instances, oldest first.
func (a *App) ListInstances(ctx context.Context, p Page) ([]domain.Instance, string, error) {
	p = clampPage(p)
	if p.Cursor != "" && !domain.ValidID(p.Cursor) {
		return nil, "", domain.InvalidField("cursor", "is not a cursor this API returned")
	}
	return a.store.ListInstances(ctx, p)
}

// DeleteInstance removes the instance; its message history stays. The bot
// that owns it notices and closes the session.
func (a *App) DeleteInstance(ctx context.Context, id string) error {
	if !domain.ValidID(id) {
		return domain.NotFound("instance")
	}
	return a.store.InTx(ctx, func(tx Tx) error {
		in, err := tx.LockInstance(ctx, id)
		if err != nil {
			return err
		}
		if err := tx.DeleteInstance(ctx, id); err != nil {
			return err
		}
		in.SetStatus(domain.InstanceLoggedOut, "", "deleted", a.now())
		return tx.Publish(ctx, instanceStatusEvent(in, a.now()))
	})
}

// SetInstanceStatus records a link state the WhatsApp driver observed and
// emits instance.status when it changed.
func (a *App) SetInstanceStatus(ctx context.Context, id string, s domain.InstanceStatus, phone, reason string) error {
	return a.store.InTx(ctx, func(tx Tx) error {
		in, err := tx.LockInstance(ctx, id)
		if err != nil {
			return err
		}
		if !in.SetStatus(s, phone, reason, a.now()) {
			return nil
		}
		if err := tx.UpdateInstance(ctx, in); err != nil {
			return err
		}
		return tx.Publish(ctx, instanceStatusEvent(in, a.now()))
	})
}

func instanceStatusEvent(in *domain.Instance, now time.Time) events.Envelope {
	return newEvent(events.InstanceStatus, in.ID, now, events.InstanceStatusChanged{
		Status: string(in.Status), Phone: in.Phone, Reason: in.StatusReason,
	})
}

// InstancesStamp changes whenever the set of instances or one of them does.
func (a *App) InstancesStamp(ctx context.Context) (string, error) {
	return a.store.InstancesStamp(ctx)
}

// AllInstances lists every instance, for the bot to reconcile sessions.
func (a *App) AllInstances(ctx context.Context) ([]domain.Instance, error) {
	var all []domain.Instance
	p := Page{Limit: 500}
	for {
		items, next, err := a.store.ListInstances(ctx, p)
		if err != nil {
			return nil, err
		}
		all = append(all, items...)
		if next == "" {
			return all, nil
		}
		p.Cursor = next
	}
}

// InstancePatch changes instance settings; nil fields stay as they are.
type InstancePatch struct {
	Name *string
	// SetSendRate applies SendRate: a number per minute (0 = unlimited), or
	// nil to go back to the process default.
	SetSendRate bool
	SendRate    *int
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
		in.Touch(a.now())
		out = in
		return tx.UpdateInstance(ctx, in)
	})
	return out, err
}
