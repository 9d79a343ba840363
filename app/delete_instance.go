package app

import (
	"context"

	"github.com/zapgate/zapgate/domain"
)

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
