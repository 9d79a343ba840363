package app

import (
	"context"
	"fmt"
	"time"

	"github.com/zapgate/zapgate/domain"
)

// QR is the code to scan, with its image.
type QR struct {
	Code      string
	PNG       []byte
	ExpiresAt time.Time
}

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
