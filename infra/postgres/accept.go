package postgres

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"github.com/zapgate/zapgate/app"
	"github.com/zapgate/zapgate/domain"
	"github.com/zapgate/zapgate/events"
	"github.com/zapgate/zapgate/infra/outbox"
)

// messageValues names a message row's values in messageColumns' order,
// derived from it so a new column cannot be missed here.
var messageValues = func() string {
	cols := strings.Split(messageColumns, ",")
	for i, c := range cols {
		cols[i] = ":" + strings.TrimSpace(c)
	}
	return "(" + strings.Join(cols, ", ") + ")"
}()

// RecipientContacts implements app.AcceptStore: one statement for the
// whole batch, each ref matched as Contact matches one.
func (s *Store) RecipientContacts(ctx context.Context, refs []app.ContactRef) ([]*domain.Contact, error) {
	instances := make([]string, len(refs))
	jids := make([]string, len(refs))
	for i, r := range refs {
		instances[i], jids[i] = r.InstanceID, r.Addr.JID()
	}
	rows, err := s.db.QueryxContext(ctx, `SELECT u.n, c.`+strings.ReplaceAll(contactColumns, ", ", ", c.")+`
		FROM unnest($1::uuid[], $2::text[]) WITH ORDINALITY AS u(instance_id, jid, n)
		CROSS JOIN LATERAL (SELECT `+contactColumns+` FROM contacts
			WHERE instance_id = u.instance_id AND (jid = u.jid OR lid = u.jid) LIMIT 1) c`,
		pq.Array(instances), pq.Array(jids))
	if err != nil {
		return nil, fmt.Errorf("read contacts: %w", err)
	}
	defer rows.Close()
	out := make([]*domain.Contact, len(refs))
	for rows.Next() {
		var r struct {
			N int64 `db:"n"`
			contactRow
		}
		if err := rows.StructScan(&r); err != nil {
			return nil, fmt.Errorf("read contacts: %w", err)
		}
		c := r.domain()
		out[r.N-1] = &c
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read contacts: %w", err)
	}
	return out, nil
}

// AcceptMessages implements app.AcceptStore in one transaction of three
// statements whatever the batch's size: the instances' existence, one
// multi-row message INSERT and one outbox INSERT per outbox table.
func (s *Store) AcceptMessages(ctx context.Context, batch []app.Accepted) ([]bool, error) {
	var inserted []bool
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		if err := instancesExist(ctx, tx, batch); err != nil {
			return err
		}
		var err error
		if inserted, err = insertMessages(ctx, tx, batch); err != nil {
			return err
		}
		var envs []events.Envelope
		for i, a := range batch {
			if inserted[i] {
				envs = append(envs, a.Envelopes...)
			}
		}
		return outbox.Publish(ctx, tx.Tx, s.logger, envs...)
	})
	if err != nil {
		return nil, fmt.Errorf("accept %d messages: %w", len(batch), err)
	}
	return inserted, nil
}

// instancesExist refuses a batch that names an instance that does not
// exist (messages outlive their instance, so no foreign key does it).
func instancesExist(ctx context.Context, tx *sqlx.Tx, batch []app.Accepted) error {
	var ids []string
	seen := map[string]bool{}
	for _, a := range batch {
		if id := a.Message.InstanceID; !seen[id] {
			seen[id] = true
			ids = append(ids, id)
		}
	}
	var n int
	if err := tx.GetContext(ctx, &n, `SELECT count(*) FROM instances WHERE id = ANY($1::uuid[])`, pq.Array(ids)); err != nil {
		return fmt.Errorf("read instances: %w", err)
	}
	if n != len(ids) {
		return domain.NotFound("instance")
	}
	return nil
}

// insertMessages inserts the batch with one statement; a message whose
// idempotency key is taken is skipped (ON CONFLICT DO NOTHING, waiting for
// a concurrent insert of the same key to commit), and RETURNING tells which
// were inserted.
func insertMessages(ctx context.Context, tx *sqlx.Tx, batch []app.Accepted) ([]bool, error) {
	cols := strings.Count(messageColumns, ",") + 1
	var q strings.Builder
	q.WriteString(`INSERT INTO messages (` + messageColumns + `) VALUES `)
	args := make([]any, 0, cols*len(batch))
	for i, a := range batch {
		_, rowArgs, err := sqlx.Named(messageValues, toMessageRow(a.Message))
		if err != nil {
			return nil, fmt.Errorf("insert messages: %w", err)
		}
		if len(rowArgs) != cols {
			return nil, fmt.Errorf("insert messages: %d values for %d columns", len(rowArgs), cols)
		}
		if i > 0 {
			q.WriteString(", ")
		}
		q.WriteByte('(')
		for j := range cols {
			if j > 0 {
				q.WriteByte(',')
			}
			q.WriteString("$" + strconv.Itoa(len(args)+j+1))
		}
		q.WriteByte(')')
		args = append(args, rowArgs...)
	}
	q.WriteString(` ON CONFLICT DO NOTHING RETURNING id`)
	var ids []string
	if err := tx.SelectContext(ctx, &ids, q.String(), args...); err != nil {
		return nil, fmt.Errorf("insert messages: %w", err)
	}
	stored := make(map[string]bool, len(ids))
	for _, id := range ids {
		stored[id] = true
	}
	inserted := make([]bool, len(batch))
	for i, a := range batch {
		inserted[i] = stored[a.Message.ID]
	}
	return inserted, nil
}

var _ app.AcceptStore = (*Store)(nil)
