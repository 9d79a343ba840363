package sim

import (
	"context"
	"crypto/rand"
	"database/sql"
	"errors"
	"fmt"
	"math/big"
	"strings"

	"github.com/jmoiron/sqlx"

	"github.com/zapgate/zapgate/app"
	"github.com/zapgate/zapgate/domain"
)

// GroupSink receives what WhatsApp tells an instance of changes others
// made to its groups; the app implements it, as it does for the whatsmeow
// driver's group events. The sink given to New is asked for it.
type GroupSink interface {
	GroupJoined(ctx context.Context, instanceID string, g app.GroupInfo) error
	GroupChanged(ctx context.Context, instanceID, jid string, change app.GroupChange, by string) error
	GroupParticipantsChanged(ctx context.Context, instanceID, jid, action string, participants []string, by string) error
	GroupLeft(ctx context.Context, instanceID, jid string) error
}

// Refusals, as WhatsApp gives them.
var (
	errNotAdmin       = fmt.Errorf("sim: not a group admin: %w", app.ErrPermanent)
	errNotParticipant = fmt.Errorf("sim: not a participant of the group: %w", app.ErrPermanent)
	errNoGroup        = fmt.Errorf("sim: no such group: %w", app.ErrPermanent)
	errBadInvite      = fmt.Errorf("sim: the invite link is not valid: %w", app.ErrPermanent)
)

// Per-participant errors of UpdateParticipants.
const (
	errNotOnWhatsApp   = "not on WhatsApp"
	errAlreadyIn       = "already a participant"
	errNotIn           = "not a participant"
	errCreatorStays    = "the group's creator cannot be removed or demoted"
	errRoleUnsupported = "unknown action"
)

// linkedPhone is the phone of the instance's linked session:
// ErrNotConnected when it has none, as for a send.
func (n *Network) linkedPhone(ctx context.Context, instanceID string) (string, error) {
	var s struct {
		Linked bool   `db:"linked"`
		Phone  string `db:"phone"`
	}
	err := n.db.GetContext(ctx, &s, `SELECT linked, phone FROM sim_sessions WHERE instance_id = $1`, instanceID)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && !s.Linked) {
		return "", app.ErrNotConnected
	}
	if err != nil {
		return "", fmt.Errorf("sim session: %w", err)
	}
	return s.Phone + "@" + domain.ServerPhone, nil
}

// newGroupJID makes an 18-digit group JID as WhatsApp's new groups have.
func newGroupJID() string {
	n, _ := rand.Int(rand.Reader, big.NewInt(1e11))
	return fmt.Sprintf("1203630%011d@%s", n.Int64(), domain.ServerGroup)
}

func newInviteCode() string {
	return strings.NewReplacer("-", "X", "_", "Y").Replace(domain.NewSecret("", 16))
}

// person is someone a request named, resolved on the network: an instance
// of this deployment (by its session's phone) or a person of sim_contacts.
type person struct {
	member     string // sim_group_members.member
	instanceID string // "" for a person
	jid        string // as groups list them
}

// resolve finds who jid names on the network; false when nobody (not on
// WhatsApp).
func resolve(ctx context.Context, q sqlx.QueryerContext, jid string) (person, bool, error) {
	addr, ok := domain.ParseAddress(jid)
	if !ok || addr.IsGroup() {
		return person{}, false, nil
	}
	phone := addr.Phone()
	if addr.IsLID() {
		err := sqlx.GetContext(ctx, q, &phone, `SELECT phone FROM sim_contacts WHERE on_whatsapp AND (lid = $1 OR lid = $2)
			LIMIT 1`, addr.User(), addr.JID())
		if errors.Is(err, sql.ErrNoRows) {
			return person{}, false, nil
		}
		if err != nil {
			return person{}, false, fmt.Errorf("sim resolve: %w", err)
		}
	}
	pjid := phone + "@" + domain.ServerPhone
	var inst string
	err := sqlx.GetContext(ctx, q, &inst, `SELECT instance_id FROM sim_sessions WHERE linked AND phone = $1
		ORDER BY instance_id LIMIT 1`, phone)
	if err == nil {
		return person{member: inst, instanceID: inst, jid: pjid}, true, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return person{}, false, fmt.Errorf("sim resolve: %w", err)
	}
	var on bool
	err = sqlx.GetContext(ctx, q, &on, `SELECT on_whatsapp FROM sim_contacts WHERE phone = $1`, phone)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && !on) {
		return person{}, false, nil
	}
	if err != nil {
		return person{}, false, fmt.Errorf("sim resolve: %w", err)
	}
	return person{member: pjid, jid: pjid}, true, nil
}

type simGroup struct {
	JID         string         `db:"jid"`
	Subject     string         `db:"subject"`
	Description string         `db:"description"`
	Owner       string         `db:"owner"`
	Announce    bool           `db:"announce"`
	Locked      bool           `db:"locked"`
	InviteCode  string         `db:"invite_code"`
	CreatedAt   sql.NullTime   `db:"created_at"`
	Role        sql.NullString `db:"role"` // the asking instance's, when it is a member
}

// groupFor reads a group with the role instanceID holds in it (FOR UPDATE
// when lock).
func groupFor(ctx context.Context, q sqlx.QueryerContext, jid, instanceID string, lock bool) (*simGroup, error) {
	query := `SELECT g.jid, g.subject, g.description, g.owner, g.announce, g.locked, g.invite_code, g.created_at,
		(SELECT role FROM sim_group_members m WHERE m.group_jid = g.jid AND m.instance_id = $2) AS role
		FROM sim_groups g WHERE g.jid = $1`
	if lock {
		query += ` FOR UPDATE`
	}
	var g simGroup
	err := sqlx.GetContext(ctx, q, &g, query, jid, instanceID)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errNoGroup
	}
	if err != nil {
		return nil, fmt.Errorf("sim group: %w", err)
	}
	return &g, nil
}

// info describes a group as WhatsApp shows it to its members; instances
// without a linked phone are not listed (they have no address).
func info(ctx context.Context, q sqlx.QueryerContext, jid string) (*app.GroupInfo, error) {
	g, err := groupFor(ctx, q, jid, "00000000-0000-0000-0000-000000000000", false)
	if err != nil {
		return nil, err
	}
	var members []struct {
		Member   string `db:"member"`
		Instance bool   `db:"instance"`
		Phone    string `db:"phone"` // an instance's session phone
		LID      string `db:"lid"`
		Role     string `db:"role"`
	}
	if err := sqlx.SelectContext(ctx, q, &members, `SELECT m.member, m.instance_id IS NOT NULL AS instance,
		COALESCE(s.phone, '') AS phone, COALESCE(c.lid, '') AS lid, m.role
		FROM sim_group_members m
		LEFT JOIN sim_sessions s ON s.instance_id = m.instance_id
		LEFT JOIN sim_contacts c ON m.instance_id IS NULL AND c.phone = split_part(m.member, '@', 1)
		WHERE m.group_jid = $1 ORDER BY m.member`, jid); err != nil {
		return nil, fmt.Errorf("sim group members: %w", err)
	}
	out := &app.GroupInfo{JID: g.JID, Subject: g.Subject, Description: g.Description, Owner: g.Owner,
		Announce: g.Announce, Locked: g.Locked, CreatedAt: g.CreatedAt.Time.UTC()}
	for _, m := range members {
		p := app.GroupParticipant{JID: m.Member, Role: m.Role}
		if m.Instance {
			if m.Phone == "" {
				continue
			}
			p.JID = m.Phone + "@" + domain.ServerPhone
		}
		p.Phone = strings.TrimSuffix(p.JID, "@"+domain.ServerPhone)
		if l := m.LID; l != "" {
			if !strings.Contains(l, "@") {
				l += "@" + domain.ServerLID
			}
			p.LID = l
		}
		out.Participants = append(out.Participants, p)
	}
	return out, nil
}

// otherMembers lists the linked instances in the group but except.
func otherMembers(ctx context.Context, q sqlx.QueryerContext, jid, except string) ([]string, error) {
	var ids []string
	if err := sqlx.SelectContext(ctx, q, &ids, `SELECT m.instance_id FROM sim_group_members m
		JOIN sim_sessions s ON s.instance_id = m.instance_id AND s.linked
		WHERE m.group_jid = $1 AND m.instance_id IS NOT NULL AND m.instance_id::text <> $2
		ORDER BY m.instance_id`, jid, except); err != nil {
		return nil, fmt.Errorf("sim group members: %w", err)
	}
	return ids, nil
}

// inTx runs fn in one transaction of the sim's database.
func (n *Network) inTx(ctx context.Context, fn func(tx *sqlx.Tx) error) error {
	tx, err := n.db.BeginTxx(ctx, nil)
	if err != nil {
		return fmt.Errorf("sim begin: %w", err)
	}
	if err := fn(tx); err != nil {
		_ = tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("sim commit: %w", err)
	}
	return nil
}

// tell hands news of a group to the instances it concerns, as WhatsApp
// notifies the members' phones. A member that fails to take it learns on
// its next sync; the change stands either way.
func (n *Network) tell(ctx context.Context, ids []string, what string, fn func(s GroupSink, id string) error) {
	s, ok := n.sink.(GroupSink)
	if !ok {
		return
	}
	for _, id := range ids {
		if err := fn(s, id); err != nil {
			n.log.Warn("sim group news", "instance", id, "news", what, "err", err)
		}
	}
}

// JoinedGroups implements app.GroupManager.
func (n *Network) JoinedGroups(ctx context.Context, instanceID string) ([]app.GroupInfo, error) {
	if _, err := n.linkedPhone(ctx, instanceID); err != nil {
		return nil, err
	}
	var jids []string
	if err := n.db.SelectContext(ctx, &jids, `SELECT group_jid FROM sim_group_members WHERE instance_id = $1
		ORDER BY group_jid`, instanceID); err != nil {
		return nil, fmt.Errorf("sim joined groups: %w", err)
	}
	out := make([]app.GroupInfo, 0, len(jids))
	for _, j := range jids {
		g, err := info(ctx, n.db, j)
		if err != nil {
			return nil, err
		}
		out = append(out, *g)
	}
	return out, nil
}

// GroupInfo implements app.GroupManager: members only.
func (n *Network) GroupInfo(ctx context.Context, instanceID, jid string) (*app.GroupInfo, error) {
	if _, err := n.linkedPhone(ctx, instanceID); err != nil {
		return nil, err
	}
	g, err := groupFor(ctx, n.db, jid, instanceID, false)
	if err != nil {
		return nil, err
	}
	if !g.Role.Valid {
		return nil, errNotParticipant
	}
	return info(ctx, n.db, jid)
}

// CreateGroup implements app.GroupManager: the instance is the superadmin;
// people not on the network are left out; instances added learn of it.
func (n *Network) CreateGroup(ctx context.Context, instanceID, subject string, participants []string) (*app.GroupInfo, error) {
	self, err := n.linkedPhone(ctx, instanceID)
	if err != nil {
		return nil, err
	}
	jid := newGroupJID()
	var g *app.GroupInfo
	var added []string
	err = n.inTx(ctx, func(tx *sqlx.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO sim_groups (jid, subject, owner, invite_code) VALUES ($1, $2, $3, $4)`,
			jid, subject, self, newInviteCode()); err != nil {
			return fmt.Errorf("sim create group: %w", err)
		}
		if err := addMember(ctx, tx, jid, person{member: instanceID, instanceID: instanceID}, app.RoleSuperAdmin); err != nil {
			return err
		}
		for _, p := range participants {
			who, ok, err := resolve(ctx, tx, p)
			if err != nil {
				return err
			}
			if !ok || who.instanceID == instanceID {
				continue
			}
			if err := addMember(ctx, tx, jid, who, app.RoleMember); err != nil {
				return err
			}
			if who.instanceID != "" {
				added = append(added, who.instanceID)
			}
		}
		g, err = info(ctx, tx, jid)
		return err
	})
	if err != nil {
		return nil, err
	}
	n.tell(ctx, added, "joined", func(s GroupSink, id string) error { return s.GroupJoined(ctx, id, *g) })
	return g, nil
}

func addMember(ctx context.Context, tx *sqlx.Tx, jid string, who person, role string) error {
	var inst any
	if who.instanceID != "" {
		inst = who.instanceID
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO sim_group_members (group_jid, member, instance_id, role)
		VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING`, jid, who.member, inst, role); err != nil {
		return fmt.Errorf("sim add member: %w", err)
	}
	return nil
}

// UpdateGroup implements app.GroupManager: a locked group's info, and the
// announce and locked settings, are for admins only.
func (n *Network) UpdateGroup(ctx context.Context, instanceID, jid string, change app.GroupChange) error {
	self, err := n.linkedPhone(ctx, instanceID)
	if err != nil {
		return err
	}
	var others []string
	err = n.inTx(ctx, func(tx *sqlx.Tx) error {
		g, err := groupFor(ctx, tx, jid, instanceID, true)
		if err != nil {
			return err
		}
		if !g.Role.Valid {
			return errNotParticipant
		}
		if g.Role.String == app.RoleMember && (g.Locked || change.Announce != nil || change.Locked != nil) {
			return errNotAdmin
		}
		if _, err := tx.ExecContext(ctx, `UPDATE sim_groups SET subject = COALESCE($2, subject),
			description = COALESCE($3, description), announce = COALESCE($4, announce), locked = COALESCE($5, locked)
			WHERE jid = $1`, jid, change.Subject, change.Description, change.Announce, change.Locked); err != nil {
			return fmt.Errorf("sim update group: %w", err)
		}
		others, err = otherMembers(ctx, tx, jid, instanceID)
		return err
	})
	if err != nil {
		return err
	}
	n.tell(ctx, others, "changed", func(s GroupSink, id string) error { return s.GroupChanged(ctx, id, jid, change, self) })
	return nil
}

// UpdateParticipants implements app.GroupManager: admins only; each
// participant gets its own answer.
func (n *Network) UpdateParticipants(ctx context.Context, instanceID, jid, action string, participants []string) ([]app.ParticipantResult, error) {
	self, err := n.linkedPhone(ctx, instanceID)
	if err != nil {
		return nil, err
	}
	results := make([]app.ParticipantResult, 0, len(participants))
	var done []string         // the JIDs changed, as the group lists them
	var joined, gone []string // instances added and removed
	var g *app.GroupInfo      // after the change, for those added
	var others []string       // instances in the group that did not act, after the change
	err = n.inTx(ctx, func(tx *sqlx.Tx) error {
		sg, err := groupFor(ctx, tx, jid, instanceID, true)
		if err != nil {
			return err
		}
		if !sg.Role.Valid {
			return errNotParticipant
		}
		if sg.Role.String == app.RoleMember {
			return errNotAdmin
		}
		for _, p := range participants {
			r := app.ParticipantResult{JID: p}
			who, ok, err := resolve(ctx, tx, p)
			if err != nil {
				return err
			}
			if !ok {
				r.Error = errNotOnWhatsApp
				if action != app.ParticipantAdd {
					r.Error = errNotIn
				}
				results = append(results, r)
				continue
			}
			r.Error, err = changeMember(ctx, tx, jid, who, action)
			if err != nil {
				return err
			}
			r.OK = r.Error == ""
			if r.OK {
				done = append(done, who.jid)
				switch {
				case who.instanceID != "" && action == app.ParticipantAdd:
					joined = append(joined, who.instanceID)
				case who.instanceID != "" && action == app.ParticipantRemove:
					gone = append(gone, who.instanceID)
				}
			}
			results = append(results, r)
		}
		if g, err = info(ctx, tx, jid); err != nil {
			return err
		}
		others, err = otherMembers(ctx, tx, jid, instanceID)
		return err
	})
	if err != nil {
		return nil, err
	}
	if len(done) > 0 {
		told := map[string]bool{}
		for _, id := range joined {
			told[id] = true
		}
		var rest []string
		for _, id := range others {
			if !told[id] {
				rest = append(rest, id)
			}
		}
		n.tell(ctx, joined, "joined", func(s GroupSink, id string) error { return s.GroupJoined(ctx, id, *g) })
		n.tell(ctx, gone, "removed", func(s GroupSink, id string) error { return s.GroupLeft(ctx, id, jid) })
		n.tell(ctx, rest, "participants", func(s GroupSink, id string) error {
			return s.GroupParticipantsChanged(ctx, id, jid, action, done, self)
		})
	}
	return results, nil
}

// changeMember applies action to one resolved person: the reason it could
// not, or "".
func changeMember(ctx context.Context, tx *sqlx.Tx, jid string, who person, action string) (string, error) {
	var role string
	err := tx.GetContext(ctx, &role, `SELECT role FROM sim_group_members WHERE group_jid = $1 AND member = $2`, jid, who.member)
	in := err == nil
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return "", fmt.Errorf("sim member: %w", err)
	}
	var query string
	switch {
	case action == app.ParticipantAdd && in:
		return errAlreadyIn, nil
	case action == app.ParticipantAdd:
		return "", addMember(ctx, tx, jid, who, app.RoleMember)
	case !in:
		return errNotIn, nil
	case role == app.RoleSuperAdmin && (action == app.ParticipantRemove || action == app.ParticipantDemote):
		return errCreatorStays, nil
	case action == app.ParticipantRemove:
		query = `DELETE FROM sim_group_members WHERE group_jid = $1 AND member = $2`
	case action == app.ParticipantPromote && role == app.RoleMember:
		query = `UPDATE sim_group_members SET role = 'admin' WHERE group_jid = $1 AND member = $2`
	case action == app.ParticipantDemote && role == app.RoleAdmin:
		query = `UPDATE sim_group_members SET role = 'member' WHERE group_jid = $1 AND member = $2`
	case action == app.ParticipantPromote || action == app.ParticipantDemote:
		return "", nil // already so
	default:
		return errRoleUnsupported, nil
	}
	if _, err := tx.ExecContext(ctx, query, jid, who.member); err != nil {
		return "", fmt.Errorf("sim change member: %w", err)
	}
	return "", nil
}

// InviteLink implements app.GroupManager: admins only; reset gives the
// group a new code, so the old link stops working.
func (n *Network) InviteLink(ctx context.Context, instanceID, jid string, reset bool) (string, error) {
	if _, err := n.linkedPhone(ctx, instanceID); err != nil {
		return "", err
	}
	var code string
	err := n.inTx(ctx, func(tx *sqlx.Tx) error {
		g, err := groupFor(ctx, tx, jid, instanceID, true)
		if err != nil {
			return err
		}
		switch {
		case !g.Role.Valid:
			return errNotParticipant
		case g.Role.String == app.RoleMember:
			return errNotAdmin
		}
		code = g.InviteCode
		if !reset {
			return nil
		}
		code = newInviteCode()
		if _, err := tx.ExecContext(ctx, `UPDATE sim_groups SET invite_code = $2 WHERE jid = $1`, jid, code); err != nil {
			return fmt.Errorf("sim reset invite link: %w", err)
		}
		return nil
	})
	if err != nil {
		return "", err
	}
	return domain.InviteLinkPrefix + code, nil
}

// JoinGroup implements app.GroupManager: the members learn of the newcomer.
// Joining a group the instance is in already changes nothing.
func (n *Network) JoinGroup(ctx context.Context, instanceID, link string) (*app.GroupInfo, error) {
	self, err := n.linkedPhone(ctx, instanceID)
	if err != nil {
		return nil, err
	}
	code, err := domain.ParseInviteLink(link)
	if err != nil {
		return nil, errBadInvite
	}
	var g *app.GroupInfo
	var others []string
	var added bool
	err = n.inTx(ctx, func(tx *sqlx.Tx) error {
		var jid string
		err := tx.GetContext(ctx, &jid, `SELECT jid FROM sim_groups WHERE invite_code = $1 FOR UPDATE`, code)
		if errors.Is(err, sql.ErrNoRows) {
			return errBadInvite
		}
		if err != nil {
			return fmt.Errorf("sim join group: %w", err)
		}
		res, err := tx.ExecContext(ctx, `INSERT INTO sim_group_members (group_jid, member, instance_id, role)
			VALUES ($1, $2, $3, 'member') ON CONFLICT DO NOTHING`, jid, instanceID, instanceID)
		if err != nil {
			return fmt.Errorf("sim join group: %w", err)
		}
		rows, _ := res.RowsAffected()
		added = rows > 0
		if g, err = info(ctx, tx, jid); err != nil {
			return err
		}
		others, err = otherMembers(ctx, tx, jid, instanceID)
		return err
	})
	if err != nil {
		return nil, err
	}
	if added {
		n.tell(ctx, others, "participants", func(s GroupSink, id string) error {
			return s.GroupParticipantsChanged(ctx, id, g.JID, app.ParticipantAdd, []string{self}, self)
		})
	}
	return g, nil
}

// LeaveGroup implements app.GroupManager: the members left behind learn of
// it. Leaving a group the instance is not in changes nothing.
func (n *Network) LeaveGroup(ctx context.Context, instanceID, jid string) error {
	self, err := n.linkedPhone(ctx, instanceID)
	if err != nil {
		return err
	}
	var others []string
	var left bool
	err = n.inTx(ctx, func(tx *sqlx.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM sim_group_members WHERE group_jid = $1 AND instance_id = $2`, jid, instanceID)
		if err != nil {
			return fmt.Errorf("sim leave group: %w", err)
		}
		rows, _ := res.RowsAffected()
		left = rows > 0
		others, err = otherMembers(ctx, tx, jid, instanceID)
		return err
	})
	if err != nil || !left {
		return err
	}
	n.tell(ctx, others, "participants", func(s GroupSink, id string) error {
		return s.GroupParticipantsChanged(ctx, id, jid, app.ParticipantRemove, []string{self}, self)
	})
	return nil
}

// AddGroup creates a group elsewhere on the network, with people (phones)
// and instances of this deployment as members; the first person is its
// creator. The instances with a linked session learn of it at once, the
// others when they connect and sync.
func (n *Network) AddGroup(ctx context.Context, subject string, phones, instanceIDs []string) (string, error) {
	jid := newGroupJID()
	var g *app.GroupInfo
	var members []string
	err := n.inTx(ctx, func(tx *sqlx.Tx) error {
		owner := ""
		if len(phones) > 0 {
			owner = phones[0] + "@" + domain.ServerPhone
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO sim_groups (jid, subject, owner, invite_code) VALUES ($1, $2, $3, $4)`,
			jid, subject, owner, newInviteCode()); err != nil {
			return fmt.Errorf("sim add group: %w", err)
		}
		for i, p := range phones {
			pjid := p + "@" + domain.ServerPhone
			role := app.RoleMember
			if i == 0 {
				role = app.RoleSuperAdmin
			}
			if err := addMember(ctx, tx, jid, person{member: pjid, jid: pjid}, role); err != nil {
				return err
			}
		}
		for _, id := range instanceIDs {
			if err := addMember(ctx, tx, jid, person{member: id, instanceID: id}, app.RoleMember); err != nil {
				return err
			}
		}
		var err error
		if g, err = info(ctx, tx, jid); err != nil {
			return err
		}
		members, err = otherMembers(ctx, tx, jid, "")
		return err
	})
	if err != nil {
		return "", err
	}
	n.tell(ctx, members, "joined", func(s GroupSink, id string) error { return s.GroupJoined(ctx, id, *g) })
	return jid, nil
}

var _ app.GroupManager = (*Network)(nil)
