package app

import (
	"context"

	"github.com/zapgate/zapgate/domain"
	"github.com/zapgate/zapgate/events"
)

// RequestLogout queues cmd.logout_instance for the bot that owns the
// instance; it answers not_connected unless the instance is linked.
func (a *App) RequestLogout(ctx context.Context, id string) (string, error) {
	if !domain.ValidID(id) {
		return "", domain.NotFound("instance")
	}
	var cmdID string
	err := a.store.InTx(ctx, func(tx Tx) error {
		in, err := tx.LockInstance(ctx, id)
		if err != nil {
			return err
		}
		if in.Status != domain.InstanceConnected {
			return errNotConnected
		}
		env := newEvent(events.CmdLogoutInstance, id, a.now(), events.LogoutInstance{Reason: "requested through the API"})
		cmdID = env.ID
		return tx.Publish(ctx, env)
	})
	return cmdID, err
}
