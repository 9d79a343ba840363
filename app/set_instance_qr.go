package app

import (
	"context"
	"fmt"
	"time"

	"github.com/zapgate/zapgate/events"
)

// SetInstanceQR records a new QR code to scan: its PNG goes to storage, the
// code and expiry to the instance, and instance.qr (plus instance.status on
// the first code of a round) to the outbox.
func (a *App) SetInstanceQR(ctx context.Context, id, code string, expiresAt time.Time) error {
	png, err := a.qr.PNG(code)
	if err != nil {
		return err
	}
	if err := a.storage.Put(ctx, QRKey(code), png, "image/png"); err != nil {
		return fmt.Errorf("store qr: %w", err)
	}
	return a.store.InTx(ctx, func(tx Tx) error {
		in, err := tx.LockInstance(ctx, id)
		if err != nil {
			return err
		}
		now := a.now()
		changed, err := in.ShowQR(code, expiresAt, now)
		if err != nil {
			return err
		}
		if err := tx.UpdateInstance(ctx, in); err != nil {
			return err
		}
		envs := []events.Envelope{newEvent(events.InstanceQR, id, now, events.InstanceQRChanged{Code: code, ExpiresAt: expiresAt})}
		if changed {
			envs = append(envs, instanceStatusEvent(in, now))
		}
		return tx.Publish(ctx, envs...)
	})
}
