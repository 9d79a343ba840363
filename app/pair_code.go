package app

import (
	"context"

	"github.com/zapgate/zapgate/domain"
)

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
