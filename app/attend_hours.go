package app

import (
	"context"
	"time"

	"github.com/zapgate/zapgate/domain"
	"github.com/zapgate/zapgate/events"
)

// patchHours applies the business-hours part of an instance patch.
func (a *App) patchHours(in *domain.Instance, p InstancePatch) error {
	if p.GreetingMessage != nil {
		if err := in.SetGreetingMessage(*p.GreetingMessage); err != nil {
			return err
		}
	}
	if p.AwayMessage != nil {
		if err := in.SetAwayMessage(*p.AwayMessage); err != nil {
			return err
		}
	}
	if p.SetBusinessHours {
		in.SetBusinessHours(p.BusinessHours)
	}
	if p.FirstResponseSLA != nil {
		if err := in.SetFirstResponseSLA(*p.FirstResponseSLA, a.slaFloor); err != nil {
			return err
		}
	}
	return nil
}

// sendToClient files text, from the company, into the attendance and
// queues it through the send pipeline (outbox, pacing) in the caller's
// transaction. It is not an attendant's reply: the attendance's first
// reply and SLA do not move.
func (a *App) sendToClient(ctx context.Context, tx Tx, att *domain.Attendance, client *domain.Client, text string, now time.Time) (events.Envelope, error) {
	m, err := domain.NewOutgoing(domain.OutgoingDraft{InstanceID: att.InstanceID, To: client.Address(), Type: string(domain.TypeText), Text: text}, now)
	if err != nil {
		return events.Envelope{}, err
	}
	if err := m.FileInto(att.ID); err != nil {
		return events.Envelope{}, err
	}
	if _, err := tx.InsertMessage(ctx, m); err != nil {
		return events.Envelope{}, err
	}
	return sendCommand(m, now), nil
}

// hoursReply is what the client hears back for a message at at: on a new
// attendance, the greeting within hours or the away message outside them;
// later, the away message if it has not gone out yet. The away message
// is marked on att (AwayOnce), which the caller stores.
func hoursReply(in *domain.Instance, att *domain.Attendance, created bool, at, now time.Time) string {
	if away := in.AwayAt(at); away != "" {
		if att.AwayOnce(now) {
			return away
		}
		return ""
	}
	if created {
		return in.GreetingAt(at)
	}
	return ""
}

// instanceSettings reads the instance's helpdesk settings; one deleted
// meanwhile has none (its messages go with it).
func (a *App) instanceSettings(ctx context.Context, tx Tx, id string) (*domain.Instance, error) {
	in, err := tx.ReadInstance(ctx, id)
	if domain.IsNotFound(err) {
		return &domain.Instance{ID: id}, nil
	}
	return in, err
}
