package app

import (
	"context"

	"github.com/zapgate/zapgate/domain"
	"github.com/zapgate/zapgate/events"
)

// AttendIncoming files received messages, in order and in one transaction,
// each into its client's open attendance, opening one when there is none.
// Group messages and messages sent from the linked phone itself are not
// customers writing in. Running it twice for the same message changes
// nothing the second time.
func (a *App) AttendIncoming(ctx context.Context, msgs ...events.Message) error {
	var todo []events.Message
	for _, m := range msgs {
		if _, ok := customerPhone(m); ok {
			todo = append(todo, m)
		}
	}
	if len(todo) == 0 {
		return nil
	}
	return a.store.InTx(ctx, func(tx Tx) error {
		var envs []events.Envelope
		for _, m := range todo {
			filed, err := a.fileIncoming(ctx, tx, m)
			if err != nil {
				return err
			}
			envs = append(envs, filed...)
		}
		return tx.Publish(ctx, envs...)
	})
}

// fileIncoming files one message and returns the events it caused.
func (a *App) fileIncoming(ctx context.Context, tx Tx, m events.Message) ([]events.Envelope, error) {
	phone, _ := customerPhone(m)
	now := a.now()
	client, err := tx.UpsertClient(ctx, &domain.Client{ID: domain.NewID(now), InstanceID: m.InstanceID, Phone: phone,
		PushName: m.PushName, FirstSeenAt: m.CreatedAt, LastSeenAt: m.CreatedAt})
	if err != nil {
		return nil, err
	}
	att, created, err := tx.OpenAttendanceFor(ctx, domain.OpenAttendance(m.InstanceID, client.ID, m.CreatedAt))
	if err != nil {
		return nil, err
	}
	linked, err := tx.LinkMessage(ctx, m.ID, att.ID)
	if err != nil || !linked {
		return nil, err // already filed: a redelivered event
	}
	var envs []events.Envelope
	if created {
		// The new attendance already counts this message.
		envs = append(envs, newEvent(events.AttendanceOpened, m.InstanceID, now, events.AttendanceOpenedData{
			AttendanceID: att.ID, Client: clientData(client)}))
	} else if err := tx.UpdateAttendance(ctx, att.ID, func(att *domain.Attendance) error {
		return att.Touch(domain.FromClient, m.CreatedAt)
	}); err != nil {
		return nil, err
	}
	envs = append(envs, newEvent(events.AttendanceMsg, m.InstanceID, now, events.AttendanceMessage{
		AttendanceID: att.ID, From: string(domain.FromClient), Message: m}))
	return envs, nil
}

// customerPhone is the phone of a customer who wrote in; false for group
// messages, messages from the linked phone itself and LID-only senders (no
// phone to answer to yet).
func customerPhone(m events.Message) (string, bool) {
	if m.Direction != string(domain.DirectionIn) || m.IsGroup || m.FromMe {
		return "", false
	}
	// A group is never a customer, whatever flag the driver set.
	if chat, ok := domain.ParseAddress(m.Chat); ok && chat.IsGroup() {
		return "", false
	}
	return domain.NormalizePhone(m.From)
}

func clientData(c *domain.Client) events.Client {
	return events.Client{ID: c.ID, Phone: c.Phone, PushName: c.PushName}
}
