package app

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"

	"github.com/zapgate/zapgate/domain"
	"github.com/zapgate/zapgate/events"
)

// What the group use cases share: how a group is shown, how a change
// applies to the stored group, and the writes (rows, contacts, events)
// every path that learns of a group makes in its transaction. Each write
// emits only what changed, so the same news twice emits nothing the second
// time.

// GroupView is g as events, command results and the API show it.
func GroupView(g GroupInfo) events.Group {
	v := events.Group{JID: g.JID, Subject: g.Subject, Description: g.Description, Owner: g.Owner,
		ParticipantsCount: len(g.Participants), Announce: g.Announce, Locked: g.Locked, CreatedAt: g.CreatedAt.UTC(),
		Participants: make([]events.GroupMember, 0, len(g.Participants))}
	for _, p := range g.Participants {
		v.Participants = append(v.Participants, events.GroupMember(p))
	}
	return v
}

// normalizeParticipant fills the phone or LID its JID carries and the
// default role.
func normalizeParticipant(p GroupParticipant) GroupParticipant {
	if a, ok := domain.ParseAddress(p.JID); ok {
		p.JID = a.JID()
		if p.Phone == "" {
			p.Phone = a.Phone()
		}
		if p.LID == "" && a.IsLID() {
			p.LID = a.JID()
		}
	}
	if p.Role == "" {
		p.Role = RoleMember
	}
	return p
}

// normalizeGroup drops participants without an address, fills what their
// JIDs carry and keeps one entry per JID.
func normalizeGroup(g GroupInfo) GroupInfo {
	ps := make([]GroupParticipant, 0, len(g.Participants))
	seen := make(map[string]bool, len(g.Participants))
	for _, p := range g.Participants {
		p = normalizeParticipant(p)
		if p.JID == "" || seen[p.JID] {
			continue
		}
		seen[p.JID] = true
		ps = append(ps, p)
	}
	g.Participants = ps
	return g
}

// sameGroup tells whether two descriptions of a group agree on everything
// the API shows but the creation time (drivers round it differently).
func sameGroup(a, b GroupInfo) bool {
	if a.JID != b.JID || a.Subject != b.Subject || a.Description != b.Description || a.Owner != b.Owner ||
		a.Announce != b.Announce || a.Locked != b.Locked || len(a.Participants) != len(b.Participants) {
		return false
	}
	byJID := make(map[string]GroupParticipant, len(a.Participants))
	for _, p := range a.Participants {
		byJID[p.JID] = p
	}
	for _, p := range b.Participants {
		if q, ok := byJID[p.JID]; !ok || q != p {
			return false
		}
	}
	return true
}

// applyGroupChange sets what change names; it reports whether anything
// changed.
func applyGroupChange(g *GroupInfo, change GroupChange) bool {
	changed := false
	setS := func(dst *string, v *string) {
		if v != nil && *dst != *v {
			*dst, changed = *v, true
		}
	}
	setB := func(dst *bool, v *bool) {
		if v != nil && *dst != *v {
			*dst, changed = *v, true
		}
	}
	setS(&g.Subject, change.Subject)
	setS(&g.Description, change.Description)
	setB(&g.Announce, change.Announce)
	setB(&g.Locked, change.Locked)
	return changed
}

// applyParticipants applies action to the members named by jids and
// returns those it changed: adding a member or removing a stranger changes
// nothing, promote makes a member an admin, demote an admin a member (the
// superadmin stays).
func applyParticipants(g *GroupInfo, action string, jids []string) []string {
	changed := []string{}
	index := func(jid string) int {
		return slices.IndexFunc(g.Participants, func(p GroupParticipant) bool { return p.JID == jid })
	}
	for _, jid := range jids {
		p := normalizeParticipant(GroupParticipant{JID: jid})
		if p.JID == "" {
			continue
		}
		i := index(p.JID)
		switch action {
		case ParticipantAdd:
			if i >= 0 {
				continue
			}
			g.Participants = append(g.Participants, p)
		case ParticipantRemove:
			if i < 0 {
				continue
			}
			g.Participants = slices.Delete(g.Participants, i, i+1)
		case ParticipantPromote:
			if i < 0 || g.Participants[i].Role != RoleMember {
				continue
			}
			g.Participants[i].Role = RoleAdmin
		case ParticipantDemote:
			if i < 0 || g.Participants[i].Role != RoleAdmin {
				continue
			}
			g.Participants[i].Role = RoleMember
		default:
			continue
		}
		changed = append(changed, p.JID)
	}
	return changed
}

// groupContacts is what a participant list teaches about people: their
// phone JID and LID, together when both are known. The instance itself is
// not its own contact.
func groupContacts(g GroupInfo, self string, at domain.ContactObservation) []domain.ContactObservation {
	var out []domain.ContactObservation
	for _, p := range g.Participants {
		o := at
		if a, ok := domain.ParseAddress(p.Phone); ok && a.Kind() == domain.AddressPhone {
			o.JID, o.Phone = a.JID(), a.Phone()
		}
		if a, ok := domain.ParseAddress(p.LID); ok && a.IsLID() {
			o.LID = a.JID()
		}
		if !o.Identified() || (self != "" && o.JID == self) {
			continue
		}
		out = append(out, o)
	}
	return out
}

// selfJID is the phone JID the instance is linked with, "" when unknown.
func (a *App) selfJID(ctx context.Context, instanceID string) (string, error) {
	in, err := a.store.Instance(ctx, instanceID)
	if err != nil {
		return "", err
	}
	if addr, ok := domain.ParseAddress(in.Phone); ok {
		return addr.JID(), nil
	}
	return "", nil
}

// lockGroup is tx.LockGroup with absence as nil.
func lockGroup(ctx context.Context, tx Tx, instanceID, jid string) (*GroupInfo, error) {
	g, err := tx.LockGroup(ctx, instanceID, jid)
	if domain.IsNotFound(err) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read group %s: %w", jid, err)
	}
	return g, nil
}

// storeGroup records g as the instance's view of the group, with its
// participants as contacts: group.joined when the instance was not known
// to be in it, group.updated when it changed, nothing when it is the same.
func (a *App) storeGroup(ctx context.Context, tx Tx, instanceID, self string, g GroupInfo) error {
	g = normalizeGroup(g)
	prev, err := lockGroup(ctx, tx, instanceID, g.JID)
	if err != nil {
		return err
	}
	now := a.now()
	if g.CreatedAt.IsZero() {
		g.CreatedAt = now
		if prev != nil {
			g.CreatedAt = prev.CreatedAt
		}
	}
	if prev != nil && sameGroup(*prev, g) {
		return nil
	}
	if err := a.saveGroup(ctx, tx, instanceID, self, g); err != nil {
		return err
	}
	typ := events.GroupUpdated
	if prev == nil {
		typ = events.GroupJoined
	}
	return tx.Publish(ctx, newEvent(typ, instanceID, now, GroupView(g)))
}

// saveGroup writes g and records its participants as contacts.
func (a *App) saveGroup(ctx context.Context, tx Tx, instanceID, self string, g GroupInfo) error {
	now := a.now()
	if err := tx.SaveGroup(ctx, instanceID, g, now); err != nil {
		return fmt.Errorf("save group %s: %w", g.JID, err)
	}
	if obs := groupContacts(g, self, domain.ContactObservation{At: now}); len(obs) > 0 {
		return tx.RecordContacts(ctx, instanceID, obs)
	}
	return nil
}

// dropGroup forgets a group the instance left: group.left when it was
// known, nothing otherwise.
func (a *App) dropGroup(ctx context.Context, tx Tx, instanceID, jid string) error {
	prev, err := lockGroup(ctx, tx, instanceID, jid)
	if err != nil || prev == nil {
		return err
	}
	if err := tx.DeleteGroup(ctx, instanceID, jid); err != nil {
		return fmt.Errorf("delete group %s: %w", jid, err)
	}
	return tx.Publish(ctx, newEvent(events.GroupLeft, instanceID, a.now(), events.GroupLeftData{JID: jid}))
}

// groupManager is the driver's group port.
// groupCommand decodes a group command's payload into p and returns the
// driver's group manager.
func (a *App) groupCommand(cmd *domain.Command, p any) (GroupManager, error) {
	if err := json.Unmarshal(cmd.Payload, p); err != nil {
		return nil, fmt.Errorf("decode %s payload: %w", cmd.Type, err)
	}
	return a.groupManager()
}

func (a *App) groupManager() (GroupManager, error) {
	gm, ok := a.wa.(GroupManager)
	if !ok {
		return nil, fmt.Errorf("the WhatsApp driver cannot manage groups: %w", ErrPermanent)
	}
	return gm, nil
}

// groupArg checks the {jid} of a group route.
func groupArg(jid string) (string, error) {
	addr, err := domain.ParseGroupJID("jid", jid)
	if err != nil {
		return "", err
	}
	return addr.JID(), nil
}
