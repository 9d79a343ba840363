package postgres

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"github.com/zapgate/zapgate/app"
	"github.com/zapgate/zapgate/domain"
)

const groupColumns = `id, jid, subject, description, owner, announce, locked, created_at`

type groupRow struct {
	ID          int64     `db:"id"`
	JID         string    `db:"jid"`
	Subject     string    `db:"subject"`
	Description string    `db:"description"`
	Owner       string    `db:"owner"`
	Announce    bool      `db:"announce"`
	Locked      bool      `db:"locked"`
	CreatedAt   time.Time `db:"created_at"`
	Count       int       `db:"participants_count"`
}

func (r groupRow) info() app.GroupInfo {
	return app.GroupInfo{JID: r.JID, Subject: r.Subject, Description: r.Description, Owner: r.Owner,
		Announce: r.Announce, Locked: r.Locked, CreatedAt: r.CreatedAt.UTC()}
}

type participantRow struct {
	JID   string `db:"jid"`
	Phone string `db:"phone"`
	LID   string `db:"lid"`
	Role  string `db:"role"`
}

// readGroup reads a group with its participants (in the order stored).
func readGroup(ctx context.Context, q sqlx.QueryerContext, instanceID, jid, lock string) (*app.GroupInfo, error) {
	var r groupRow
	err := sqlx.GetContext(ctx, q, &r, `SELECT `+groupColumns+`, 0 AS participants_count FROM groups
		WHERE instance_id = $1 AND jid = $2`+lock, instanceID, jid)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, domain.NotFound("group")
	}
	if err != nil {
		return nil, fmt.Errorf("read group: %w", err)
	}
	var ps []participantRow
	if err := sqlx.SelectContext(ctx, q, &ps, `SELECT jid, phone, lid, role FROM group_participants
		WHERE instance_id = $1 AND group_jid = $2 ORDER BY jid`, instanceID, jid); err != nil {
		return nil, fmt.Errorf("read group participants: %w", err)
	}
	g := r.info()
	g.Participants = make([]app.GroupParticipant, 0, len(ps))
	for _, p := range ps {
		g.Participants = append(g.Participants, app.GroupParticipant(p))
	}
	return &g, nil
}

// LockGroup implements app.Tx. A transaction advisory lock on the group's
// key holds it even while it has no row, so two first reports of one group
// cannot both take it as new.
func (t *Tx) LockGroup(ctx context.Context, instanceID, jid string) (*app.GroupInfo, error) {
	if _, err := t.tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock($1)`, contactLockKey(instanceID, "group/"+jid)); err != nil {
		return nil, fmt.Errorf("lock group: %w", err)
	}
	return readGroup(ctx, t.tx, instanceID, jid, ` FOR UPDATE`)
}

// SaveGroup implements app.Tx.
func (t *Tx) SaveGroup(ctx context.Context, instanceID string, g app.GroupInfo, at time.Time) error {
	if _, err := t.tx.ExecContext(ctx, `INSERT INTO groups
		(instance_id, jid, subject, description, owner, announce, locked, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
		ON CONFLICT (instance_id, jid) DO UPDATE SET subject = $3, description = $4, owner = $5,
			announce = $6, locked = $7, created_at = $8, updated_at = $9, version = nextval('group_versions')`,
		instanceID, g.JID, g.Subject, g.Description, g.Owner, g.Announce, g.Locked, g.CreatedAt, at); err != nil {
		return fmt.Errorf("save group: %w", err)
	}
	if _, err := t.tx.ExecContext(ctx, `DELETE FROM group_participants WHERE instance_id = $1 AND group_jid = $2`,
		instanceID, g.JID); err != nil {
		return fmt.Errorf("save group participants: %w", err)
	}
	if len(g.Participants) == 0 {
		return nil
	}
	jids, phones, lids, roles := make([]string, 0, len(g.Participants)), make([]string, 0, len(g.Participants)),
		make([]string, 0, len(g.Participants)), make([]string, 0, len(g.Participants))
	for _, p := range g.Participants {
		jids, phones, lids, roles = append(jids, p.JID), append(phones, p.Phone), append(lids, p.LID), append(roles, p.Role)
	}
	if _, err := t.tx.ExecContext(ctx, `INSERT INTO group_participants (instance_id, group_jid, jid, phone, lid, role)
		SELECT $1, $2, u.jid, u.phone, u.lid, u.role
		FROM unnest($3::text[], $4::text[], $5::text[], $6::text[]) AS u(jid, phone, lid, role)
		ON CONFLICT DO NOTHING`,
		instanceID, g.JID, pq.Array(jids), pq.Array(phones), pq.Array(lids), pq.Array(roles)); err != nil {
		return fmt.Errorf("save group participants: %w", err)
	}
	return nil
}

// DeleteGroup implements app.Tx; the participants go with the group.
func (t *Tx) DeleteGroup(ctx context.Context, instanceID, jid string) error {
	if _, err := t.tx.ExecContext(ctx, `DELETE FROM groups WHERE instance_id = $1 AND jid = $2`, instanceID, jid); err != nil {
		return fmt.Errorf("delete group: %w", err)
	}
	return nil
}

// ListGroups implements app.GroupStore: oldest first.
func (s *Store) ListGroups(ctx context.Context, instanceID string, p app.Page) ([]app.GroupSummary, string, error) {
	var after int64
	if p.Cursor != "" {
		n, err := strconv.ParseInt(p.Cursor, 10, 64)
		if err != nil {
			return nil, "", domain.InvalidField("cursor", "is not a cursor this list gave")
		}
		after = n
	}
	var rows []groupRow
	if err := s.db.SelectContext(ctx, &rows, `SELECT `+groupColumns+`,
		(SELECT count(*) FROM group_participants p WHERE p.instance_id = g.instance_id AND p.group_jid = g.jid) AS participants_count
		FROM groups g WHERE instance_id = $1 AND id > $2 ORDER BY id LIMIT $3`, instanceID, after, p.Limit+1); err != nil {
		return nil, "", fmt.Errorf("list groups: %w", err)
	}
	next := ""
	if len(rows) > p.Limit {
		rows = rows[:p.Limit]
		next = strconv.FormatInt(rows[len(rows)-1].ID, 10)
	}
	out := make([]app.GroupSummary, 0, len(rows))
	for _, r := range rows {
		out = append(out, app.GroupSummary{GroupInfo: r.info(), ParticipantsCount: r.Count})
	}
	return out, next, nil
}

// Group implements app.GroupStore.
func (s *Store) Group(ctx context.Context, instanceID, jid string) (*app.GroupInfo, error) {
	return readGroup(ctx, s.db, instanceID, jid, "")
}

// GroupVersions implements app.GroupStore.
func (s *Store) GroupVersions(ctx context.Context, instanceID string) (map[string]int64, error) {
	var rows []struct {
		JID     string `db:"jid"`
		Version int64  `db:"version"`
	}
	if err := s.db.SelectContext(ctx, &rows, `SELECT jid, version FROM groups WHERE instance_id = $1`, instanceID); err != nil {
		return nil, fmt.Errorf("list group versions: %w", err)
	}
	out := make(map[string]int64, len(rows))
	for _, r := range rows {
		out[r.JID] = r.Version
	}
	return out, nil
}

// GroupMemberJIDs implements app.GroupMembers: NotFound when the instance
// is not known to be in the group.
func (s *Store) GroupMemberJIDs(ctx context.Context, instanceID, groupJID string) ([]string, error) {
	var out []string
	if err := s.db.SelectContext(ctx, &out, `SELECT COALESCE(p.jid, '') FROM groups g
		LEFT JOIN group_participants p ON p.instance_id = g.instance_id AND p.group_jid = g.jid
		WHERE g.instance_id = $1 AND g.jid = $2 ORDER BY p.jid`, instanceID, groupJID); err != nil {
		return nil, fmt.Errorf("list group members: %w", err)
	}
	if len(out) == 0 {
		return nil, domain.NotFound("group")
	}
	// A group with no participants reads as one empty member.
	members := out[:0]
	for _, j := range out {
		if j != "" {
			members = append(members, j)
		}
	}
	return members, nil
}

var (
	_ app.GroupStore = (*Store)(nil)
	_ app.Tx         = (*Tx)(nil)
)
