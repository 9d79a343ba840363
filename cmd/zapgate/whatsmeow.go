package main

import (
	"context"
	"errors"
	"log/slog"

	"github.com/jmoiron/sqlx"
)

// newWhatsmeow builds the real WhatsApp driver.
func newWhatsmeow(ctx context.Context, db *sqlx.DB, log *slog.Logger) (driver, func(), error) {
	return nil, nil, errors.New("whatsmeow driver: not wired yet")
}
