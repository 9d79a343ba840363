package postgres

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"hash/fnv"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/lib/pq"

	"github.com/zapgate/zapgate/app"
	"github.com/zapgate/zapgate/domain"
)

const contactColumns = `id, jid, lid, phone, name, push_name, business_name, blocked, updated_at`

type contactRow struct {
	ID           int64          `db:"id"`
	JID          sql.NullString `db:"jid"`
	LID          sql.NullString `db:"lid"`
	Phone        string         `db:"phone"`
	Name         string         `db:"name"`
	PushName     string         `db:"push_name"`
	BusinessName string         `db:"business_name"`
	Blocked      bool           `db:"blocked"`
	UpdatedAt    time.Time      `db:"updated_at"`
}

func (r contactRow) domain() domain.Contact {
	return domain.Contact{JID: r.JID.String, LID: r.LID.String, Phone: r.Phone, Name: r.Name, PushName: r.PushName,
		BusinessName: r.BusinessName, Blocked: r.Blocked, UpdatedAt: r.UpdatedAt.UTC()}
}

func nullable(s string) sql.NullString { return sql.NullString{String: s, Valid: s != ""} }

// contactLockKey names one address of one instance for an advisory lock.
func contactLockKey(instanceID, addr string) int64 {
	h := fnv.New64a()
	h.Write([]byte(instanceID + "/" + addr))
	return int64(h.Sum64())
}

// RecordContacts implements app.Tx. Every address observed is locked first
// (transaction advisory locks, in key order so two batches cannot
// deadlock): a phone and a LID of one person seen at once by two
// transactions then merge into one row instead of racing into two.
func (t *Tx) RecordContacts(ctx context.Context, instanceID string, obs []domain.ContactObservation) error {
	var keys []int64
	for _, o := range obs {
		for _, a := range []string{o.JID, o.LID} {
			if a != "" {
				keys = append(keys, contactLockKey(instanceID, a))
			}
		}
	}
	if len(keys) == 0 {
		return nil
	}
	slices.Sort(keys)
	keys = slices.Compact(keys)
	if _, err := t.tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(k)
		FROM unnest($1::bigint[]) WITH ORDINALITY AS u(k, n) ORDER BY n`, pq.Array(keys)); err != nil {
		return fmt.Errorf("lock contacts: %w", err)
	}
	for _, o := range obs {
		if err := t.recordContact(ctx, instanceID, o); err != nil {
			return err
		}
	}
	return nil
}

func (t *Tx) contactBy(ctx context.Context, instanceID, column, value string) (*contactRow, error) {
	if value == "" {
		return nil, nil
	}
	var r contactRow
	err := t.tx.GetContext(ctx, &r, `SELECT `+contactColumns+` FROM contacts
		WHERE instance_id = $1 AND `+column+` = $2 FOR UPDATE`, instanceID, value)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read contact: %w", err)
	}
	return &r, nil
}

func (t *Tx) recordContact(ctx context.Context, instanceID string, o domain.ContactObservation) error {
	byJID, err := t.contactBy(ctx, instanceID, "jid", o.JID)
	if err != nil {
		return err
	}
	byLID, err := t.contactBy(ctx, instanceID, "lid", o.LID)
	if err != nil {
		return err
	}
	base := byJID
	if base == nil {
		base = byLID
	}
	if base == nil {
		c := domain.Contact{}
		c.Merge(o)
		r := contactRow{JID: nullable(c.JID), LID: nullable(c.LID)}
		if _, err := t.tx.ExecContext(ctx, `INSERT INTO contacts (instance_id, jid, lid, phone, name, push_name, business_name, blocked, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
			instanceID, r.JID, r.LID, c.Phone, c.Name, c.PushName, c.BusinessName, c.Blocked, c.UpdatedAt); err != nil {
			return fmt.Errorf("insert contact: %w", err)
		}
		return nil
	}
	c := base.domain()
	if byJID != nil && byLID != nil && byJID.ID != byLID.ID {
		other := byLID.domain()
		if other.JID == "" && c.LID == "" {
			// Two rows, one person: keep the phone's, fold the LID's in.
			c.MergeContact(other)
			if _, err := t.tx.ExecContext(ctx, `DELETE FROM contacts WHERE id = $1`, byLID.ID); err != nil {
				return fmt.Errorf("merge contacts: %w", err)
			}
		} else {
			// Each row already holds another phone or LID: WhatsApp's
			// pairing is not ours to undo; update the phone's row only.
			o.LID = ""
		}
	}
	c.Merge(o)
	if _, err := t.tx.ExecContext(ctx, `UPDATE contacts SET jid = $2, lid = $3, phone = $4, name = $5, push_name = $6,
		business_name = $7, blocked = $8, updated_at = $9 WHERE id = $1`,
		base.ID, nullable(c.JID), nullable(c.LID), c.Phone, c.Name, c.PushName, c.BusinessName, c.Blocked, c.UpdatedAt); err != nil {
		return fmt.Errorf("update contact: %w", err)
	}
	return nil
}

// ListContacts implements app.ContactStore: oldest first; q matches names,
// phone and LID, case-insensitive.
func (s *Store) ListContacts(ctx context.Context, instanceID, q string, p app.Page) ([]domain.Contact, string, error) {
	var after int64
	if p.Cursor != "" {
		n, err := strconv.ParseInt(p.Cursor, 10, 64)
		if err != nil {
			return nil, "", domain.InvalidField("cursor", "is not a cursor this list gave")
		}
		after = n
	}
	like := "%" + strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(q) + "%"
	var rows []contactRow
	if err := s.db.SelectContext(ctx, &rows, `SELECT `+contactColumns+` FROM contacts
		WHERE instance_id = $1 AND id > $2 AND ($3 = '' OR name ILIKE $4 OR push_name ILIKE $4 OR phone ILIKE $4 OR lid ILIKE $4)
		ORDER BY id LIMIT $5`, instanceID, after, q, like, p.Limit+1); err != nil {
		return nil, "", fmt.Errorf("list contacts: %w", err)
	}
	next := ""
	if len(rows) > p.Limit {
		rows = rows[:p.Limit]
		next = strconv.FormatInt(rows[len(rows)-1].ID, 10)
	}
	out := make([]domain.Contact, 0, len(rows))
	for _, r := range rows {
		out = append(out, r.domain())
	}
	return out, next, nil
}

// Contact implements app.ContactStore: the contact with addr as its phone
// JID or its LID.
func (s *Store) Contact(ctx context.Context, instanceID string, addr domain.Address) (*domain.Contact, error) {
	var r contactRow
	err := s.db.GetContext(ctx, &r, `SELECT `+contactColumns+` FROM contacts
		WHERE instance_id = $1 AND (jid = $2 OR lid = $2) LIMIT 1`, instanceID, addr.JID())
	if errors.Is(err, sql.ErrNoRows) {
		return nil, domain.NotFound("contact")
	}
	if err != nil {
		return nil, fmt.Errorf("read contact: %w", err)
	}
	c := r.domain()
	return &c, nil
}
