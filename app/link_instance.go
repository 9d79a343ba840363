package app

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"time"

	"github.com/zapgate/zapgate/domain"
	"github.com/zapgate/zapgate/events"
)

// QRKey is where the PNG of a QR code is stored.
func QRKey(code string) string {
	sum := sha256.Sum256([]byte(code))
	return "qr/" + hex.EncodeToString(sum[:]) + ".png"
}

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

// QR is the code to scan, with its image.
type QR struct {
	Code      string
	PNG       []byte
	ExpiresAt time.Time
}

var (
	errAlreadyConnected = domain.Conflict("already_connected", "the instance is already linked to a phone")
	errQRUnavailable    = domain.Conflict("qr_unavailable", "no QR code yet: the session is starting, try again in a moment")
	errNotConnected     = domain.Conflict("not_connected", "the instance is not connected")
)

// InstanceQR returns the current QR code. An instance whose last round ended
// (QR expired, logged out, disconnected before linking) starts a new round
// and answers qr_unavailable until its first code arrives.
func (a *App) InstanceQR(ctx context.Context, id string) (*QR, error) {
	in, err := a.GetInstance(ctx, id)
	if err != nil {
		return nil, err
	}
	if in.Status == domain.InstanceConnected {
		return nil, errAlreadyConnected
	}
	live := in.QRCode != "" && in.QRExpiresAt != nil && in.QRExpiresAt.After(a.now())
	if !live {
		if in.Status == domain.InstanceLoggedOut || in.Status == domain.InstanceDisconnected ||
			(in.Status == domain.InstanceQR && in.QRCode != "") {
			if err := a.SetInstanceStatus(ctx, id, domain.InstanceCreated, "", "new QR round requested"); err != nil {
				return nil, err
			}
		}
		return nil, errQRUnavailable
	}
	png, err := a.storage.Get(ctx, QRKey(in.QRCode))
	if err != nil {
		return nil, fmt.Errorf("load qr: %w", err)
	}
	return &QR{Code: in.QRCode, PNG: png, ExpiresAt: *in.QRExpiresAt}, nil
}

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

// ApplyReceipt records a delivery or read receipt for an outgoing message
// and emits message.status when the status moved forward.
func (a *App) ApplyReceipt(ctx context.Context, instanceID, waMessageID string, status domain.MessageStatus, at time.Time) error {
	if domain.TextProblem(waMessageID) != "" {
		return domain.NotFound("message") // no stored message has such an id
	}
	return a.store.InTx(ctx, func(tx Tx) error {
		m, err := tx.LockMessageByWAID(ctx, instanceID, waMessageID)
		if err != nil {
			return err
		}
		before := *m
		changed := m.ApplyReceipt(status, at)
		if !changed && timesEqual(before.DeliveredAt, m.DeliveredAt) && timesEqual(before.ReadAt, m.ReadAt) {
			return nil
		}
		if err := tx.UpdateMessage(ctx, m); err != nil {
			return err
		}
		if !changed {
			return nil
		}
		return tx.Publish(ctx, statusEvent(m, a.now()))
	})
}

func timesEqual(a, b *time.Time) bool {
	return (a == nil) == (b == nil) && (a == nil || a.Equal(*b))
}

// Pairer links an instance by phone number instead of a QR code.
type Pairer interface {
	PairPhone(ctx context.Context, instanceID, phone string) (string, error)
}

// PairCode asks WhatsApp for a code to type on the phone (Linked devices →
// Link with phone number instead).
func (a *App) PairCode(ctx context.Context, id, phone string) (string, error) {
	in, err := a.GetInstance(ctx, id)
	if err != nil {
		return "", err
	}
	if in.Status == domain.InstanceConnected {
		return "", errAlreadyConnected
	}
	p, ok := domain.NormalizePhone(phone)
	if !ok {
		return "", domain.InvalidField("phone", domain.PhoneRule)
	}
	pairer, ok := a.wa.(Pairer)
	if !ok {
		return "", &domain.Error{Kind: domain.KindUnavailable, Code: "pairing_unavailable", Message: "this WhatsApp driver cannot pair by phone number"}
	}
	return pairer.PairPhone(ctx, id, p)
}
