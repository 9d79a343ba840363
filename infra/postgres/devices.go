package postgres

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/jmoiron/sqlx"
)

// Devices maps instances to their whatsmeow device JIDs.
type Devices struct{ db *sqlx.DB }

// NewDevices returns the mapping on db.
func NewDevices(db *sqlx.DB) *Devices { return &Devices{db: db} }

// DeviceJID returns the linked device of the instance, "" when none.
func (d *Devices) DeviceJID(ctx context.Context, instanceID string) (string, error) {
	var jid string
	err := d.db.GetContext(ctx, &jid, `SELECT wa_jid FROM instances WHERE id = $1`, instanceID)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("device of %s: %w", instanceID, err)
	}
	return jid, nil
}

// SetDeviceJID records the device linked to the instance.
func (d *Devices) SetDeviceJID(ctx context.Context, instanceID, jid string) error {
	if _, err := d.db.ExecContext(ctx, `UPDATE instances SET wa_jid = $2 WHERE id = $1`, instanceID, jid); err != nil {
		return fmt.Errorf("set device of %s: %w", instanceID, err)
	}
	return nil
}
