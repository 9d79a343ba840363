package postgres

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/lib/pq"

	"github.com/zapgate/zapgate/app"
	"github.com/zapgate/zapgate/domain"
)

var (
	_ app.HoldStore     = (*Store)(nil)
	_ app.NewContactsTx = (*Tx)(nil)
)

// personAddrs is the subquery of every address of the person (or group)
// behind the chat expression x: the chat itself and, through contacts,
// the phone JID and LID WhatsApp told us are the same person. $1 is the
// instance.
func personAddrs(x string) string {
	return `(SELECT ` + x + `
		UNION ALL SELECT ct.jid FROM contacts ct WHERE ct.instance_id = $1 AND ct.jid IS NOT NULL AND ` + x + ` IN (ct.jid, ct.lid)
		UNION ALL SELECT ct.lid FROM contacts ct WHERE ct.instance_id = $1 AND ct.lid IS NOT NULL AND ` + x + ` IN (ct.jid, ct.lid))`
}

// exchangedWith is true when the instance ($1) has a message of one of the
// statuses $2 (domain.ExchangedStatuses) with the person behind chat x.
func exchangedWith(x string) string {
	return `EXISTS (SELECT 1 FROM messages m WHERE m.instance_id = $1 AND m.chat IN ` + personAddrs(x) + `
		AND m.status = ANY($2::text[]))`
}

// heldFor is true when messages to the person behind chat x wait held.
func heldFor(x string) string {
	return `EXISTS (SELECT 1 FROM messages m WHERE m.instance_id = $1 AND m.chat IN ` + personAddrs(x) + `
		AND m.held <> '' AND m.status = 'queued')`
}

func exchangedStatuses() pq.StringArray {
	var out pq.StringArray
	for _, s := range domain.ExchangedStatuses() {
		out = append(out, string(s))
	}
	return out
}

// newContactsSince counts the instance's ($1) new contacts first written
// to after the parameter since.
func newContactsSince(since string) string {
	return `(SELECT count(*) FROM new_contacts WHERE instance_id = $1 AND first_sent_at > ` + since + `)`
}

// SendAdmission implements app.HoldStore in one statement.
func (s *Store) SendAdmission(ctx context.Context, instanceID string, chats []string, since time.Time) (map[string]app.ChatAdmission, int, error) {
	var rows []struct {
		Chat  string `db:"chat"`
		Known bool   `db:"known"`
		Held  bool   `db:"held"`
		Used  int    `db:"used"`
	}
	if err := s.db.SelectContext(ctx, &rows, `SELECT c.chat, `+exchangedWith("c.chat")+` AS known, `+heldFor("c.chat")+` AS held,
		`+newContactsSince("$3")+` AS used
		FROM (SELECT DISTINCT unnest($4::text[]) AS chat) c`,
		instanceID, exchangedStatuses(), since, pq.StringArray(chats)); err != nil {
		return nil, 0, fmt.Errorf("send admission: %w", err)
	}
	out := make(map[string]app.ChatAdmission, len(rows))
	used := 0
	for _, r := range rows {
		out[r.Chat] = app.ChatAdmission{Known: r.Known, Held: r.Held}
		used = r.Used
	}
	return out, used, nil
}

// HoldMessages implements app.HoldStore.
func (s *Store) HoldMessages(ctx context.Context, instanceID string, ids []string, reason string) error {
	if _, err := s.db.ExecContext(ctx, `UPDATE messages SET held = $3
		WHERE instance_id = $1 AND id = ANY($2::uuid[]) AND status = 'queued'`,
		instanceID, pq.StringArray(ids), reason); err != nil {
		return fmt.Errorf("hold messages: %w", err)
	}
	return nil
}

// HeldChats implements app.HoldStore in one statement (every consumer
// asks when it starts): with no chat held, the count does not matter.
func (s *Store) HeldChats(ctx context.Context, instanceID string, since time.Time) ([]domain.HeldChat, int, error) {
	var rows []struct {
		Chat  string `db:"chat"`
		Known bool   `db:"known"`
		Used  int    `db:"used"`
	}
	if err := s.db.SelectContext(ctx, &rows, `SELECT h.chat, `+exchangedWith("h.chat")+` AS known, `+newContactsSince("$3")+` AS used
		FROM (SELECT chat, min(id::text) AS first FROM messages
		      WHERE instance_id = $1 AND held <> '' AND status = 'queued' GROUP BY chat) h
		ORDER BY h.first`, instanceID, exchangedStatuses(), since); err != nil {
		return nil, 0, fmt.Errorf("held chats: %w", err)
	}
	out := make([]domain.HeldChat, len(rows))
	used := 0
	for i, r := range rows {
		out[i] = domain.HeldChat{Chat: r.Chat, Known: r.Known}
		used = r.Used
	}
	return out, used, nil
}

// HeldMessages implements app.HoldStore.
func (s *Store) HeldMessages(ctx context.Context, instanceID string, chats []string) ([]domain.Message, error) {
	var rows []messageRow
	if err := s.db.SelectContext(ctx, &rows, `SELECT `+messageColumns+` FROM messages
		WHERE instance_id = $1 AND held <> '' AND status = 'queued' AND chat = ANY($2::text[])
		ORDER BY id`, instanceID, pq.StringArray(chats)); err != nil {
		return nil, fmt.Errorf("held messages: %w", err)
	}
	out := make([]domain.Message, len(rows))
	for i, r := range rows {
		out[i] = r.domain()
	}
	return out, nil
}

// InstanceWithFigures implements app.HoldStore: the instance's row and
// three indexed counts in one statement.
func (s *Store) InstanceWithFigures(ctx context.Context, instanceID string, since time.Time) (*domain.Instance, app.SendingFigures, error) {
	var r struct {
		instanceRow
		Sent int `db:"fig_sent"`
		New  int `db:"fig_new"`
		Held int `db:"fig_held"`
	}
	err := s.db.GetContext(ctx, &r, `SELECT `+instanceColumns+`,
		(SELECT count(*) FROM messages WHERE instance_id = $1 AND direction = 'out' AND sent_at IS NOT NULL AND sent_at > $2) AS fig_sent,
		`+newContactsSince("$2")+` AS fig_new,
		(SELECT count(*) FROM messages WHERE instance_id = $1 AND held <> '' AND status = 'queued') AS fig_held
		FROM instances WHERE id = $1`, instanceID, since)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, app.SendingFigures{}, domain.NotFound("instance")
	}
	if err != nil {
		return nil, app.SendingFigures{}, fmt.Errorf("instance with figures: %w", err)
	}
	in := r.instanceRow.domain()
	return &in, app.SendingFigures{Sent24h: r.Sent, NewContacts24h: r.New, Held: r.Held}, nil
}

// CountNewContacts implements app.NewContactsTx: a sent message to a person
// (not a group) with no message exchanged yet makes them a new contact,
// once per chat. It runs before the statuses are stored, so the messages
// being recorded do not count as exchanged.
func (t *Tx) CountNewContacts(ctx context.Context, instanceID string, ms []*domain.Message) error {
	var chats []string
	var ats []sql.NullString
	for _, m := range ms {
		if m.Direction != domain.DirectionOut || m.IsGroup || m.Status != domain.StatusSent || m.SentAt == nil || m.Chat == "" {
			continue
		}
		chats, ats = append(chats, m.Chat), append(ats, timeText(m.SentAt))
	}
	if len(chats) == 0 {
		return nil
	}
	if _, err := t.tx.ExecContext(ctx, `INSERT INTO new_contacts (instance_id, chat, first_sent_at)
		SELECT $1, u.chat, min(u.at) FROM unnest($3::text[], $4::timestamptz[]) AS u(chat, at)
		WHERE NOT `+exchangedWith("u.chat")+`
		GROUP BY u.chat
		ON CONFLICT DO NOTHING`, instanceID, exchangedStatuses(), pq.StringArray(chats), pq.Array(ats)); err != nil {
		return fmt.Errorf("count new contacts: %w", err)
	}
	return nil
}

// RememberLinkedPhone implements app.Tx.
func (t *Tx) RememberLinkedPhone(ctx context.Context, phone string, now time.Time) (bool, error) {
	var inserted []string
	if err := t.tx.SelectContext(ctx, &inserted, `INSERT INTO linked_phones (phone, first_linked_at) VALUES ($1, $2)
		ON CONFLICT (phone) DO NOTHING RETURNING phone`, phone, now); err != nil {
		return false, fmt.Errorf("remember linked phone: %w", err)
	}
	return len(inserted) == 0, nil
}
