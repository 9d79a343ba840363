package sim

import (
	"context"
	"fmt"
	"strings"

	"github.com/lib/pq"

	"github.com/zapgate/zapgate/app"
	"github.com/zapgate/zapgate/domain"
)

var _ app.ProfileManager = (*Network)(nil)

// ProfilePicture implements app.ProfileManager from sim_contacts: a person
// never added, or added without a picture, shows none; groups have none.
func (n *Network) ProfilePicture(ctx context.Context, instanceID, jid string) (string, error) {
	if err := n.linked(ctx, instanceID); err != nil {
		return "", fmt.Errorf("sim profile picture: %w", err)
	}
	a, ok := domain.ParseAddress(jid)
	if !ok {
		return "", fmt.Errorf("sim: %q %s: %w", jid, domain.AddressRule, app.ErrPermanent)
	}
	if a.IsGroup() {
		return "", nil
	}
	var urls []string
	if err := n.db.SelectContext(ctx, &urls, `SELECT picture_url FROM sim_contacts
		WHERE phone = $1 OR lid = ANY($2) LIMIT 1`, a.Phone(), pq.Array(lidForms(a))); err != nil {
		return "", fmt.Errorf("sim profile picture: %w", err)
	}
	if len(urls) == 0 {
		return "", nil
	}
	return urls[0], nil
}

// SetBlocked implements app.ProfileManager on sim_blocks. The block holds
// every address the network knows of the person, so a later send to their
// phone or their LID is refused alike.
func (n *Network) SetBlocked(ctx context.Context, instanceID, jid string, blocked bool) error {
	if err := n.linked(ctx, instanceID); err != nil {
		return fmt.Errorf("sim block: %w", err)
	}
	a, ok := domain.ParseAddress(jid)
	if !ok || a.IsGroup() {
		return fmt.Errorf("sim: %q is not a person: %w", jid, app.ErrPermanent)
	}
	jids, err := n.personJIDs(ctx, a)
	if err != nil {
		return err
	}
	q := `DELETE FROM sim_blocks WHERE instance_id = $1 AND jid = ANY($2)`
	if blocked {
		q = `INSERT INTO sim_blocks (instance_id, jid) SELECT $1, unnest($2::text[]) ON CONFLICT DO NOTHING`
	}
	if _, err := n.db.ExecContext(ctx, q, instanceID, pq.Array(jids)); err != nil {
		return fmt.Errorf("sim block: %w", err)
	}
	return nil
}

// personJIDs is a's JID and, when sim_contacts pairs it, the person's
// other one (phone ↔ LID).
func (n *Network) personJIDs(ctx context.Context, a domain.Address) ([]string, error) {
	var rows []struct {
		Phone string `db:"phone"`
		LID   string `db:"lid"`
	}
	if err := n.db.SelectContext(ctx, &rows, `SELECT phone, lid FROM sim_contacts
		WHERE phone = $1 OR lid = ANY($2)`, a.Phone(), pq.Array(lidForms(a))); err != nil {
		return nil, fmt.Errorf("sim contact addresses: %w", err)
	}
	jids := []string{a.JID()}
	for _, r := range rows {
		if p, ok := domain.ParseAddress(r.Phone); ok {
			jids = append(jids, p.JID())
		}
		if l, ok := domain.ParseAddress(lidJID(r.LID)); ok && l.IsLID() {
			jids = append(jids, l.JID())
		}
	}
	return jids, nil
}

// lidForms are the ways sim_contacts may hold a's LID: with or without
// "@lid" (POST /v1/sim/contacts takes both); none for other addresses.
func lidForms(a domain.Address) []string {
	if !a.IsLID() {
		return []string{}
	}
	return []string{a.JID(), a.User()}
}

// lidJID completes a LID stored without its server.
func lidJID(lid string) string {
	if lid != "" && !strings.Contains(lid, "@") {
		return lid + "@" + domain.ServerLID
	}
	return lid
}
