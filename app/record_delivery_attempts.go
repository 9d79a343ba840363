package app

import (
	"context"
	"fmt"
	"time"

	"github.com/zapgate/zapgate/domain"
)

// DeliveryAttempt is the outcome of one attempt of a delivery.
type DeliveryAttempt struct {
	Delivery   domain.Delivery // as claimed
	StatusCode int             // 0 when no answer came
	Err        string
	At         time.Time
}

// RecordDeliveryAttempts stores the outcomes of attempts in one statement
// and returns the deliveries as recorded (delivered, due again, failed).
func (a *App) RecordDeliveryAttempts(ctx context.Context, attempts []DeliveryAttempt) ([]domain.Delivery, error) {
	ds := make([]domain.Delivery, len(attempts))
	for i, at := range attempts {
		ds[i] = at.Delivery
		ds[i].RecordAttempt(at.StatusCode, at.Err, at.At)
	}
	if err := a.webhooks.UpdateDeliveries(ctx, ds); err != nil {
		return nil, fmt.Errorf("record %d delivery attempts: %w", len(ds), err)
	}
	return ds, nil
}
