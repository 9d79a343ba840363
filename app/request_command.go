package app

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/zapgate/zapgate/domain"
	"github.com/zapgate/zapgate/events"
)

// requestCommand stores a pending command and its cmd.* message for the
// bot that holds the instance, in one transaction: the row exists exactly
// when the bot will be asked to run it.
func (a *App) requestCommand(ctx context.Context, instanceID string, typ domain.CommandType, payload any) (*domain.Command, error) {
	if !domain.ValidID(instanceID) {
		return nil, domain.NotFound("instance")
	}
	raw, err := json.Marshal(payload)
	if err != nil {
		return nil, fmt.Errorf("encode %s payload: %w", typ, err)
	}
	now := a.now()
	cmd := domain.NewCommand(instanceID, typ, raw, now)
	if _, err := a.store.Instance(ctx, instanceID); err != nil {
		return nil, err
	}
	err = a.store.InTx(ctx, func(tx Tx) error {
		return insertCommand(ctx, tx, cmd, events.RunCommand{CommandID: cmd.ID})
	})
	if err != nil {
		return nil, fmt.Errorf("request %s: %w", typ, err)
	}
	return cmd, nil
}

// insertCommand writes cmd and its cmd.* message (carrying data) in tx.
func insertCommand(ctx context.Context, tx Tx, cmd *domain.Command, data any) error {
	if err := tx.InsertCommand(ctx, cmd); err != nil {
		return err
	}
	return tx.Publish(ctx, newEvent("cmd."+string(cmd.Type), cmd.InstanceID, cmd.CreatedAt, data))
}
