package app

import (
	"context"
	"fmt"
	"time"

	"github.com/zapgate/zapgate/domain"
	"github.com/zapgate/zapgate/events"
)

// AttendanceTx is the attendance part of a transaction.
type AttendanceTx interface {
	// UpsertClient records a client seen now and returns the stored row.
	UpsertClient(ctx context.Context, c *domain.Client) (*domain.Client, error)
	ClientByID(ctx context.Context, id string) (*domain.Client, error)
	// OpenAttendanceFor locks the client's open attendance, or inserts a as
	// the new one; created tells which.
	OpenAttendanceFor(ctx context.Context, a *domain.Attendance) (*domain.Attendance, bool, error)
	LockAttendance(ctx context.Context, id string) (*domain.Attendance, error)
	UpdateAttendance(ctx context.Context, a *domain.Attendance) error
	// LinkMessage attaches a message to an attendance unless it already
	// belongs to one; it reports whether it did.
	LinkMessage(ctx context.Context, messageID, attendanceID string) (bool, error)
	// ClaimIdleAttendances locks up to limit open attendances idle since
	// cutoff, skipping rows other closers hold.
	ClaimIdleAttendances(ctx context.Context, cutoff time.Time, limit int) ([]domain.Attendance, error)
	InsertFeedbackToken(ctx context.Context, hash []byte, attendanceID string, expiresAt time.Time) error
	// LockFeedbackToken reads a feedback link FOR UPDATE.
	LockFeedbackToken(ctx context.Context, hash []byte) (*FeedbackToken, error)
	UseFeedbackToken(ctx context.Context, hash []byte, at time.Time) error
	InsertFeedback(ctx context.Context, f *domain.Feedback) error
}

// AttendanceView is an attendance with its client and latest message.
type AttendanceView struct {
	Attendance  domain.Attendance
	Client      domain.Client
	LastMessage *domain.Message
}

// AttendanceFilter narrows the inbox.
type AttendanceFilter struct {
	Page
	Status     string
	InstanceID string
}

// AttendanceStore reads the helpdesk.
type AttendanceStore interface {
	ListAttendances(ctx context.Context, f AttendanceFilter) ([]AttendanceView, string, error)
	Attendance(ctx context.Context, id string) (*AttendanceView, error)
	AttendanceMessages(ctx context.Context, id string) ([]domain.Message, error)
}

func (a *App) attendanceTx(tx Tx) (AttendanceTx, error) {
	atx, ok := tx.(AttendanceTx)
	if !ok {
		return nil, fmt.Errorf("the store does not keep attendances")
	}
	return atx, nil
}

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
		atx, err := a.attendanceTx(tx)
		if err != nil {
			return err
		}
		var envs []events.Envelope
		for _, m := range todo {
			filed, err := a.fileIncoming(ctx, atx, m)
			if err != nil {
				return err
			}
			envs = append(envs, filed...)
		}
		return tx.Publish(ctx, envs...)
	})
}

// fileIncoming files one message and returns the events it caused.
func (a *App) fileIncoming(ctx context.Context, atx AttendanceTx, m events.Message) ([]events.Envelope, error) {
	phone, _ := customerPhone(m)
	now := a.now()
	client, err := atx.UpsertClient(ctx, &domain.Client{ID: domain.NewID(now), InstanceID: m.InstanceID, Phone: phone,
		PushName: m.PushName, FirstSeenAt: m.CreatedAt, LastSeenAt: m.CreatedAt})
	if err != nil {
		return nil, err
	}
	att, created, err := atx.OpenAttendanceFor(ctx, domain.OpenAttendance(m.InstanceID, client.ID, m.CreatedAt))
	if err != nil {
		return nil, err
	}
	linked, err := atx.LinkMessage(ctx, m.ID, att.ID)
	if err != nil || !linked {
		return nil, err // already filed: a redelivered event
	}
	var envs []events.Envelope
	if created {
		envs = append(envs, newEvent(events.AttendanceOpened, m.InstanceID, now, events.AttendanceOpenedData{
			AttendanceID: att.ID, Client: clientData(client)}))
	} else if err := att.Touch(domain.FromClient, m.CreatedAt); err != nil {
		return nil, err
	}
	if err := atx.UpdateAttendance(ctx, att); err != nil {
		return nil, err
	}
	envs = append(envs, newEvent(events.AttendanceMsg, m.InstanceID, now, events.AttendanceMessage{
		AttendanceID: att.ID, From: domain.FromClient, Message: m}))
	return envs, nil
}

// customerPhone is the phone of a customer who wrote in; false for group
// messages, messages from the linked phone itself and LID-only senders (no
// phone to answer to yet).
func customerPhone(m events.Message) (string, bool) {
	if m.Direction != string(domain.DirectionIn) || m.IsGroup || m.FromMe {
		return "", false
	}
	return domain.NormalizePhone(m.From)
}

func clientData(c *domain.Client) events.Client {
	return events.Client{ID: c.ID, Phone: c.Phone, PushName: c.PushName}
}

// ListAttendances is the inbox: attendances with client and last message.
func (a *App) ListAttendances(ctx context.Context, f AttendanceFilter) ([]AttendanceView, string, error) {
	f.Page = clampPage(f.Page)
	fields := map[string]string{}
	if f.Status != "" && f.Status != domain.AttendanceOpen && f.Status != domain.AttendanceClosed {
		fields["status"] = "must be open or closed"
	}
	if f.InstanceID != "" && !domain.ValidID(f.InstanceID) {
		fields["instance"] = "must be an instance id"
	}
	if f.Cursor != "" && !domain.ValidID(f.Cursor) {
		fields["cursor"] = "is not a cursor this API returned"
	}
	if len(fields) > 0 {
		return nil, "", domain.Invalid(fields)
	}
	return a.attendances.ListAttendances(ctx, f)
}

// GetAttendance returns an attendance with its messages in order.
func (a *App) GetAttendance(ctx context.Context, id string) (*AttendanceView, []domain.Message, error) {
	if !domain.ValidID(id) {
		return nil, nil, domain.NotFound("attendance")
	}
	v, err := a.attendances.Attendance(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	msgs, err := a.attendances.AttendanceMessages(ctx, id)
	return v, msgs, err
}

// Reply sends a message to the attendance's client through the normal send
// pipeline, filed in the attendance, which it keeps active.
func (a *App) Reply(ctx context.Context, attendanceID string, cmd SendMessage) (*domain.Message, error) {
	v, _, err := a.GetAttendance(ctx, attendanceID)
	if err != nil {
		return nil, err
	}
	if v.Attendance.Status != domain.AttendanceOpen {
		return nil, domain.Conflict("attendance_closed", "the attendance is closed; the client can write again to open a new one")
	}
	cmd.InstanceID, cmd.To, cmd.AttendanceID = v.Attendance.InstanceID, v.Client.Phone, attendanceID
	cmd.SendAt = nil
	m, _, err := a.SendMessage(ctx, cmd)
	return m, err
}

// fileReply runs inside SendMessage's transaction for attendance replies.
func (a *App) fileReply(ctx context.Context, tx Tx, m *domain.Message, now time.Time) ([]events.Envelope, error) {
	atx, err := a.attendanceTx(tx)
	if err != nil {
		return nil, err
	}
	att, err := atx.LockAttendance(ctx, m.AttendanceID)
	if err != nil {
		return nil, err
	}
	if err := att.Touch(domain.FromAttendant, now); err != nil {
		return nil, err
	}
	if err := atx.UpdateAttendance(ctx, att); err != nil {
		return nil, err
	}
	return []events.Envelope{newEvent(events.AttendanceMsg, m.InstanceID, now, events.AttendanceMessage{
		AttendanceID: att.ID, From: domain.FromAttendant, Message: MessageData(m)})}, nil
}

// AssignAttendance hands an attendance to an attendant.
func (a *App) AssignAttendance(ctx context.Context, id, attendantID string) (*domain.Attendance, error) {
	if !domain.ValidID(id) {
		return nil, domain.NotFound("attendance")
	}
	if _, err := a.attendants.AttendantByID(ctx, attendantID); err != nil {
		if domain.IsNotFound(err) {
			return nil, domain.InvalidField("attendant_id", "no such attendant")
		}
		return nil, err
	}
	return a.withAttendance(ctx, id, func(tx Tx, atx AttendanceTx, att *domain.Attendance) error {
		if err := att.Assign(attendantID); err != nil {
			return err
		}
		return atx.UpdateAttendance(ctx, att)
	})
}

// CloseAttendance closes by hand.
func (a *App) CloseAttendance(ctx context.Context, id string) (*domain.Attendance, error) {
	if !domain.ValidID(id) {
		return nil, domain.NotFound("attendance")
	}
	return a.withAttendance(ctx, id, func(tx Tx, atx AttendanceTx, att *domain.Attendance) error {
		return a.closeAttendance(ctx, tx, atx, att, domain.ClosedManual)
	})
}

// withAttendance runs fn on the attendance, locked, in one transaction.
func (a *App) withAttendance(ctx context.Context, id string, fn func(Tx, AttendanceTx, *domain.Attendance) error) (*domain.Attendance, error) {
	var out *domain.Attendance
	err := a.store.InTx(ctx, func(tx Tx) error {
		atx, err := a.attendanceTx(tx)
		if err != nil {
			return err
		}
		att, err := atx.LockAttendance(ctx, id)
		if err != nil {
			return err
		}
		out = att
		return fn(tx, atx, att)
	})
	return out, err
}

// CloseIdleAttendances closes up to batch attendances idle for longer than
// idle, all in one transaction; replicas skip each other's rows.
func (a *App) CloseIdleAttendances(ctx context.Context, idle time.Duration, batch int) (int, error) {
	n := 0
	err := a.store.InTx(ctx, func(tx Tx) error {
		atx, err := a.attendanceTx(tx)
		if err != nil {
			return err
		}
		idleOnes, err := atx.ClaimIdleAttendances(ctx, a.now().Add(-idle), batch)
		if err != nil {
			return err
		}
		for i := range idleOnes {
			if err := a.closeAttendance(ctx, tx, atx, &idleOnes[i], domain.ClosedIdle); err != nil {
				return err
			}
		}
		n = len(idleOnes)
		return nil
	})
	return n, err
}

// closeAttendance is one close: the status, a one-time feedback link sent to
// the client through the send pipeline, and attendance.closed, together.
func (a *App) closeAttendance(ctx context.Context, tx Tx, atx AttendanceTx, att *domain.Attendance, reason string) error {
	now := a.now()
	if err := att.Close(reason, now); err != nil {
		return err
	}
	if err := atx.UpdateAttendance(ctx, att); err != nil {
		return err
	}
	client, err := atx.ClientByID(ctx, att.ClientID)
	if err != nil {
		return err
	}
	token := domain.NewSecret("zgf_", 24)
	if err := atx.InsertFeedbackToken(ctx, domain.HashSecret(token), att.ID, now.Add(domain.FeedbackTokenTTL)); err != nil {
		return err
	}
	text := fmt.Sprintf("Thank you for talking to us! How did we do? Rate this conversation in one tap: %s/feedback/%s", a.publicURL, token)
	m, err := domain.NewOutgoing(domain.OutgoingDraft{InstanceID: att.InstanceID, To: client.Phone, Type: string(domain.TypeText), Text: text}, now)
	if err != nil {
		return err
	}
	m.AttendanceID = att.ID
	if _, err := tx.InsertMessage(ctx, m); err != nil {
		return err
	}
	return tx.Publish(ctx, sendCommand(m, now), newEvent(events.AttendanceClosed, att.InstanceID, now,
		events.AttendanceClosedData{AttendanceID: att.ID, Reason: reason, ClosedAt: now}))
}
