package postgres

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/lib/pq"

	"github.com/zapgate/zapgate/domain"
)

// clientLockKey names one address of one instance's clients for an
// advisory lock (apart from the contacts' locks of the same address).
func clientLockKey(instanceID, addr string) int64 {
	return contactLockKey(instanceID, "client/"+addr)
}

// UpsertClient implements app.Tx. The phone and LID seen are locked first
// (transaction advisory locks, in key order): messages of one person by
// phone, by LID or by both then file one after another, each seeing what
// the one before stored, so they never make two clients of one person.
// Whoever finds a client row found it by an address it holds the lock of.
func (t *Tx) UpsertClient(ctx context.Context, seen *domain.Client) (*domain.Client, *domain.Attendance, error) {
	if seen.GroupJID != "" {
		return t.upsertGroupClient(ctx, seen)
	}
	var keys []int64
	for _, a := range []string{seen.Phone, seen.LID} {
		if a != "" {
			keys = append(keys, clientLockKey(seen.InstanceID, a))
		}
	}
	if len(keys) == 0 {
		return nil, nil, fmt.Errorf("upsert client: no phone and no lid")
	}
	slices.Sort(keys)
	keys = slices.Compact(keys)
	if _, err := t.tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(k)
		FROM unnest($1::bigint[]) WITH ORDINALITY AS u(k, n) ORDER BY n`, pq.Array(keys)); err != nil {
		return nil, nil, fmt.Errorf("lock client: %w", err)
	}
	var rows []clientRow
	if err := t.tx.SelectContext(ctx, &rows, `SELECT `+clientColumns+` FROM clients
		WHERE instance_id = $1 AND ((phone = $2 AND $2 <> '') OR (lid = $3 AND $3 <> ''))
		ORDER BY first_seen_at, id FOR UPDATE`, seen.InstanceID, seen.Phone, seen.LID); err != nil {
		return nil, nil, fmt.Errorf("read client: %w", err)
	}
	switch len(rows) {
	case 0:
		c := *seen
		return &c, nil, t.insertClient(ctx, &c)
	case 1:
		c := rows[0].domain()
		if seen.Phone != "" && c.Phone != "" && c.Phone != seen.Phone {
			// Found by LID but holding another phone: WhatsApp's pairing
			// is not ours to undo, so this phone is a client of its own.
			fresh := *seen
			fresh.LID = ""
			return &fresh, nil, t.insertClient(ctx, &fresh)
		}
		c.Learn(*seen) // a LID it already holds stays
		return &c, nil, t.saveClient(ctx, &c)
	}
	// One row by phone, one by LID: one person, kept as the older row,
	// unless each already holds another phone or LID.
	keep, other := rows[0].domain(), rows[1].domain()
	if keep.Conflicts(other) {
		c := keep
		if other.Phone == seen.Phone {
			c = other
		}
		phoneOnly := *seen
		phoneOnly.LID = ""
		c.Learn(phoneOnly)
		return &c, nil, t.saveClient(ctx, &c)
	}
	merged, err := t.mergeClients(ctx, keep.ID, other.ID, seen.LastSeenAt)
	if err != nil {
		return nil, nil, err
	}
	keep.Learn(other)
	keep.Learn(*seen)
	return &keep, merged, t.saveClient(ctx, &keep)
}

func (t *Tx) insertClient(ctx context.Context, c *domain.Client) error {
	if _, err := t.tx.ExecContext(ctx, `INSERT INTO clients (`+clientColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
		c.ID, c.InstanceID, c.Phone, c.LID, c.GroupJID, c.PushName, c.FirstSeenAt, c.LastSeenAt); err != nil {
		return fmt.Errorf("insert client: %w", err)
	}
	return nil
}

func (t *Tx) saveClient(ctx context.Context, c *domain.Client) error {
	if _, err := t.tx.ExecContext(ctx, `UPDATE clients SET phone = $2, lid = $3, push_name = $4, first_seen_at = $5,
		last_seen_at = $6 WHERE id = $1`, c.ID, c.Phone, c.LID, c.PushName, c.FirstSeenAt, c.LastSeenAt); err != nil {
		return fmt.Errorf("update client: %w", err)
	}
	return nil
}

// mergeClients gives other's attendances to keep and deletes other (its
// phone or LID is free for keep once this returns). When both have an open
// attendance, other's messages move into keep's and other's is returned,
// closed as merged at now: one client never has two open attendances and
// no message is lost.
func (t *Tx) mergeClients(ctx context.Context, keepID, otherID string, now time.Time) (*domain.Attendance, error) {
	var open []attendanceRow
	if err := t.tx.SelectContext(ctx, &open, `SELECT `+attendanceColumns+` FROM attendances
		WHERE client_id = ANY($1::uuid[]) AND status = 'open' ORDER BY id FOR UPDATE`, pq.Array([]string{keepID, otherID})); err != nil {
		return nil, fmt.Errorf("merge clients: %w", err)
	}
	var keepAtt, otherAtt *domain.Attendance
	for _, r := range open {
		a := r.domain()
		if a.ClientID == keepID {
			keepAtt = &a
		} else {
			otherAtt = &a
		}
	}
	var closed *domain.Attendance
	if keepAtt != nil && otherAtt != nil {
		if err := otherAtt.MergeInto(keepAtt, now); err != nil {
			return nil, err
		}
		if _, err := t.tx.ExecContext(ctx, `UPDATE messages SET attendance_id = $1 WHERE attendance_id = $2`, keepAtt.ID, otherAtt.ID); err != nil {
			return nil, fmt.Errorf("merge clients: move messages: %w", err)
		}
		// Closed first: the moved attendance must not be a second open one.
		if err := t.storeAttendance(ctx, otherAtt); err != nil {
			return nil, err
		}
		if err := t.storeAttendance(ctx, keepAtt); err != nil {
			return nil, err
		}
		closed = otherAtt
	}
	if _, err := t.tx.ExecContext(ctx, `UPDATE attendances SET client_id = $1 WHERE client_id = $2`, keepID, otherID); err != nil {
		return nil, fmt.Errorf("merge clients: move attendances: %w", err)
	}
	if _, err := t.tx.ExecContext(ctx, `DELETE FROM clients WHERE id = $1`, otherID); err != nil {
		return nil, fmt.Errorf("merge clients: %w", err)
	}
	if closed != nil {
		closed.ClientID = keepID
	}
	return closed, nil
}

// upsertGroupClient finds or adds the client that is a group, keyed on its
// JID alone: a group has no phone or LID to merge with.
func (t *Tx) upsertGroupClient(ctx context.Context, seen *domain.Client) (*domain.Client, *domain.Attendance, error) {
	if _, err := t.tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock($1)`,
		clientLockKey(seen.InstanceID, seen.GroupJID)); err != nil {
		return nil, nil, fmt.Errorf("lock group client: %w", err)
	}
	var rows []clientRow
	if err := t.tx.SelectContext(ctx, &rows, `SELECT `+clientColumns+` FROM clients
		WHERE instance_id = $1 AND group_jid = $2 FOR UPDATE`, seen.InstanceID, seen.GroupJID); err != nil {
		return nil, nil, fmt.Errorf("read group client: %w", err)
	}
	if len(rows) == 0 {
		c := *seen
		return &c, nil, t.insertClient(ctx, &c)
	}
	c := rows[0].domain()
	c.Learn(*seen) // the group's latest subject, the seen span
	return &c, nil, t.saveClient(ctx, &c)
}
