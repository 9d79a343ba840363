package app

import (
	"context"

	"github.com/zapgate/zapgate/domain"
)

// SetInstanceStatus records a link state the WhatsApp driver observed and
// emits instance.status when it changed.
func (a *App) SetInstanceStatus(ctx context.Context, id string, s domain.InstanceStatus, phone, reason string) error {
	return a.store.InTx(ctx, func(tx Tx) error {
		in, err := tx.LockInstance(ctx, id)
		if err != nil {
			return err
		}
		link := in.IsLink(s, phone)
		if !in.SetStatus(s, phone, reason, a.now()) {
			return nil
		}
		if link {
			seen, err := tx.RememberLinkedPhone(ctx, phone, a.now())
			if err != nil {
				return err
			}
			in.Linked(seen, a.sending.WarmupDays, a.now())
		}
		if err := tx.UpdateInstance(ctx, in); err != nil {
			return err
		}
		return tx.Publish(ctx, instanceStatusEvent(in, a.now()))
	})
}
