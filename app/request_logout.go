package app

import (
	"context"
	"encoding/json"
	"errors"

	"github.com/zapgate/zapgate/domain"
	"github.com/zapgate/zapgate/events"
)

// logoutReason is why an instance logged out through the API.
const logoutReason = "logged out through the API"

// RequestLogout queues the logout command for the bot that owns the
// instance and returns it; it answers not_connected unless the instance is
// linked.
func (a *App) RequestLogout(ctx context.Context, id string) (*domain.Command, error) {
	if !domain.ValidID(id) {
		return nil, domain.NotFound("instance")
	}
	now := a.now()
	data := events.LogoutInstance{Reason: "requested through the API"}
	payload, _ := json.Marshal(data) // plain strings: cannot fail
	cmd := domain.NewCommand(id, domain.CommandLogout, payload, now)
	data.CommandID = cmd.ID
	err := a.store.InTx(ctx, func(tx Tx) error {
		in, err := tx.LockInstance(ctx, id)
		if err != nil {
			return err
		}
		if in.Status != domain.InstanceConnected {
			return errNotConnected
		}
		return insertCommand(ctx, tx, cmd, data)
	})
	if err != nil {
		return nil, err
	}
	return cmd, nil
}

// Logouter is implemented by drivers that can unlink a device.
type Logouter interface {
	Logout(ctx context.Context, instanceID string) error
}

// runLogout unlinks the device; the instance turns logged_out in the
// transaction that finishes the command (see RunCommand).
func (a *App) runLogout(ctx context.Context, cmd *domain.Command) ([]byte, error) {
	l, ok := a.wa.(Logouter)
	if !ok {
		return nil, errors.New("the WhatsApp driver cannot log out")
	}
	if err := l.Logout(ctx, cmd.InstanceID); err != nil {
		return nil, err
	}
	return []byte(`{}`), nil
}

// loggedOut records, in the transaction that finishes a logout, that the
// instance is logged out; a deleted instance has nothing to record.
func (a *App) loggedOut(ctx context.Context, tx Tx, instanceID string) error {
	in, err := tx.LockInstance(ctx, instanceID)
	if domain.IsNotFound(err) {
		return nil
	}
	if err != nil {
		return err
	}
	if !in.SetStatus(domain.InstanceLoggedOut, "", logoutReason, a.now()) {
		return nil
	}
	if err := tx.UpdateInstance(ctx, in); err != nil {
		return err
	}
	return tx.Publish(ctx, instanceStatusEvent(in, a.now()))
}
