package app

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/zapgate/zapgate/domain"
	"github.com/zapgate/zapgate/events"
)

// DeliverMessage is the bot's side of cmd.send_message: it sends a queued
// message through WhatsApp once and records the outcome with its
// message.status event. A message that is no longer queued (already sent by
// an earlier delivery of the same command, canceled) is skipped, so
// redelivered commands have no further effect. It returns the resulting
// status; a transient send error is returned for the caller to retry.
func (a *App) DeliverMessage(ctx context.Context, instanceID, messageID string) (domain.MessageStatus, error) {
	m, attempts, err := a.store.BeginSend(ctx, instanceID, messageID)
	if domain.IsNotFound(err) {
		return "", nil
	}
	if err != nil {
		return "", err
	}
	if m.Status != domain.StatusQueued {
		return m.Status, nil
	}
	// From here on the send runs to its end even when the bot is shutting
	// down: a send whose outcome is not recorded would be repeated.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	out := OutboundMessage{
		WAMessageID: m.WAMessageID, To: m.To, Type: m.Type, Text: m.Text, Caption: m.Caption,
	}
	if m.Media != nil {
		data, err := a.storage.Get(ctx, m.Media.Key)
		if err != nil {
			return "", fmt.Errorf("load media %s: %w", m.Media.Key, err)
		}
		out.Media, out.Mime, out.Filename, out.SHA256 = data, m.Media.Mime, m.Media.Filename, m.Media.SHA256
	}
	var sendErr error
	if !a.alreadyAccepted(ctx, instanceID, m.WAMessageID, attempts) {
		sendErr = a.wa.Send(ctx, instanceID, out)
	}
	if sendErr != nil && !errors.Is(sendErr, ErrPermanent) {
		return "", fmt.Errorf("send %s: %w", m.ID, sendErr)
	}
	var status domain.MessageStatus
	err = a.store.InTx(ctx, func(tx Tx) error {
		m, err := tx.LockMessage(ctx, instanceID, messageID)
		if err != nil {
			return err
		}
		var changed bool
		if sendErr != nil {
			changed = m.MarkFailed(sendErr.Error())
		} else {
			changed = m.MarkSent(a.now())
		}
		status = m.Status
		if !changed {
			return nil
		}
		if err := tx.UpdateMessage(ctx, m); err != nil {
			return err
		}
		return tx.Publish(ctx, statusEvent(m, a.now()))
	})
	if err != nil {
		return "", fmt.Errorf("record send of %s: %w", messageID, err)
	}
	return status, nil
}

func statusEvent(m *domain.Message, now time.Time) events.Envelope {
	return newEvent(events.MessageStatus, m.InstanceID, now, events.MessageStatusChanged{
		MessageID: m.ID, WAMessageID: m.WAMessageID, Status: string(m.Status), Error: m.Error,
	})
}

// alreadyAccepted tells whether an earlier attempt of this send, cut short
// before its outcome was recorded, reached WhatsApp.
func (a *App) alreadyAccepted(ctx context.Context, instanceID, waMessageID string, attempts int) bool {
	checker, ok := a.wa.(SendChecker)
	if !ok || attempts <= 1 {
		return false
	}
	accepted, err := checker.Accepted(ctx, instanceID, waMessageID)
	if err != nil {
		a.logger.Warn("check an earlier send attempt", "wa_message_id", waMessageID, "err", err)
		return false
	}
	return accepted
}
