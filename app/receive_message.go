package app

import (
	"context"
	"fmt"

	"github.com/zapgate/zapgate/domain"
	"github.com/zapgate/zapgate/events"
)

// IncomingMedia is a received file, already downloaded from WhatsApp.
type IncomingMedia struct {
	Data     []byte
	Mime     string
	Filename string
}

// ReceiveMessage stores a message WhatsApp delivered, together with its
// message.received event, in one transaction. The same WhatsApp message
// delivered again is stored and announced once: created is false then.
func (a *App) ReceiveMessage(ctx context.Context, d domain.IncomingDraft, media *IncomingMedia) (*domain.Message, bool, error) {
	if media != nil && len(media.Data) > 0 {
		if len(media.Data) > domain.MaxMediaBytes {
			return nil, false, domain.ErrMediaTooLarge
		}
		mime := media.Mime
		if mime == "" {
			mime = domain.SniffMime(media.Data)
		}
		stored, err := a.putMedia(ctx, media.Data, mime, media.Filename)
		if err != nil {
			return nil, false, err
		}
		d.Media = stored
	}
	now := a.now()
	m, err := domain.NewIncoming(d, now)
	if err != nil {
		return nil, false, err
	}
	created := false
	err = a.store.InTx(ctx, func(tx Tx) error {
		if err := a.knowQuoted(ctx, tx, m, d.QuotedWAID); err != nil {
			return err
		}
		ok, err := tx.InsertMessage(ctx, m)
		if err != nil || !ok {
			return err
		}
		created = true
		if o, ok := receivedContact(m); ok {
			if err := tx.RecordContacts(ctx, m.InstanceID, []domain.ContactObservation{o}); err != nil {
				return err
			}
		}
		return tx.Publish(ctx, newEvent(events.MessageReceived, m.InstanceID, now, MessageData(m)))
	})
	if err != nil {
		return nil, false, fmt.Errorf("receive message: %w", err)
	}
	if !created {
		// A redelivery: the first copy stands.
		return m, false, nil
	}
	return m, true, nil
}
