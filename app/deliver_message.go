package app

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/zapgate/zapgate/domain"
	"github.com/zapgate/zapgate/events"
)

// The bot's side of cmd.send_message comes in three steps, so that it can
// send one instance's messages strictly in order while the database work is
// shared by many of them:
//
//	QueuedSends one read finds which of the commands' messages are queued;
//	SendOne     each message goes to WhatsApp, in order;
//	RecordSends one transaction stores the outcomes with their events.
//
// A message that is no longer queued (already sent by an earlier delivery
// of the same command, canceled) is skipped, so redelivered commands have no
// further effect. Only the last step writes: a send costs no commit of its
// own.

// PreparedSend is a queued message about to be sent. MaybeSent says an
// earlier attempt, cut short before its outcome was recorded, may have
// reached WhatsApp: the command was delivered before (the broker's
// redelivered flag) or an attempt failed in a way that leaves it unknown.
type PreparedSend struct {
	Message   domain.Message
	MaybeSent bool
}

// SendOutcome is the result of sending one message, to be recorded.
type SendOutcome struct {
	MessageID string
	// Err is nil when WhatsApp accepted the message; otherwise it wraps
	// ErrPermanent and the message fails.
	Err error
	At  time.Time
}

// SendOne sends a prepared message through WhatsApp. A transient failure is
// returned as an error for the caller to retry; a permanent one is an
// outcome to record.
func (a *App) SendOne(ctx context.Context, p PreparedSend) (SendOutcome, error) {
	m := p.Message
	out := OutboundMessage{
		WAMessageID: m.WAMessageID, To: m.SendTo(), Type: m.Type, Text: m.Text, Caption: m.Caption,
		Mentions: m.Mentions, Location: m.Location, Contacts: m.Contacts, Poll: m.Poll, PTT: m.PTT,
	}
	if m.Media != nil {
		data, err := a.storage.Get(ctx, m.Media.Key)
		if err != nil {
			return SendOutcome{}, fmt.Errorf("load media %s: %w", m.Media.Key, err)
		}
		out.Media, out.Mime, out.Filename, out.SHA256 = data, m.Media.Mime, m.Media.Filename, m.Media.SHA256
	}
	if err := a.quoteFor(ctx, &m, &out); err != nil {
		if !errors.Is(err, ErrPermanent) {
			return SendOutcome{}, fmt.Errorf("send %s: %w", m.ID, err)
		}
		return SendOutcome{MessageID: m.ID, Err: err, At: a.now()}, nil
	}
	var sendErr error
	if !p.MaybeSent || !a.alreadyAccepted(ctx, m.InstanceID, m.WAMessageID) {
		sendErr = a.wa.Send(ctx, m.InstanceID, out)
	}
	if sendErr != nil && !errors.Is(sendErr, ErrPermanent) {
		return SendOutcome{}, fmt.Errorf("send %s: %w", m.ID, sendErr)
	}
	return SendOutcome{MessageID: m.ID, Err: sendErr, At: a.now()}, nil
}

func statusEvent(m *domain.Message, now time.Time) events.Envelope {
	return newEvent(events.MessageStatus, m.InstanceID, now, events.MessageStatusChanged{
		MessageID: m.ID, WAMessageID: m.WAMessageID, Status: string(m.Status), Error: m.Error, AttendanceID: m.AttendanceID,
	})
}

// alreadyAccepted tells whether an earlier attempt of this send, cut short
// before its outcome was recorded, reached WhatsApp.
func (a *App) alreadyAccepted(ctx context.Context, instanceID, waMessageID string) bool {
	checker, ok := a.wa.(SendChecker)
	if !ok {
		return false
	}
	accepted, err := checker.Accepted(ctx, instanceID, waMessageID)
	if err != nil {
		a.logger.Warn("check an earlier send attempt", "wa_message_id", waMessageID, "err", err)
		return false
	}
	return accepted
}
