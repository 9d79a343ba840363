package whatsapp

import (
	"context"
	"errors"

	"go.mau.fi/whatsmeow/types"
	"go.mau.fi/whatsmeow/types/events"

	"github.com/zapgate/zapgate/app"
)

// GroupSink is the app side of group events: it keeps the groups an
// instance is in, and their members, current.
type GroupSink interface {
	GroupJoined(ctx context.Context, instanceID string, g app.GroupInfo) error
	GroupChanged(ctx context.Context, instanceID, jid string, change app.GroupChange, by string) error
	GroupParticipantsChanged(ctx context.Context, instanceID, jid, action string, participants []string, by string) error
	GroupLeft(ctx context.Context, instanceID, jid string) error
}

func (t *Translator) joinedGroup(ctx context.Context, e *events.JoinedGroup) error {
	if t.Groups == nil || t.ConvertGroup == nil {
		return nil
	}
	return t.Groups.GroupJoined(ctx, t.InstanceID, t.ConvertGroup(e.GroupInfo))
}

// groupChanged applies a group notification: settings first, then members
// joining, leaving, promoted and demoted. A group we left or that was
// deleted is only that: its other changes no longer concern us.
func (t *Translator) groupChanged(ctx context.Context, e *events.GroupInfo) error {
	if t.Groups == nil {
		return nil
	}
	id, jid := t.InstanceID, e.JID.ToNonAD().String()
	if e.Delete != nil || t.includesSelf(e.Leave) {
		return t.Groups.GroupLeft(ctx, id, jid)
	}
	var by string
	if e.Sender != nil && !e.Sender.IsEmpty() {
		by = e.Sender.ToNonAD().String()
	}
	var errs []error
	if change, ok := GroupChange(e); ok {
		errs = append(errs, t.Groups.GroupChanged(ctx, id, jid, change, by))
	}
	for _, c := range ParticipantChanges(e) {
		errs = append(errs, t.Groups.GroupParticipantsChanged(ctx, id, jid, c.Action, c.Participants, by))
	}
	return errors.Join(errs...)
}

// includesSelf tells whether the instance's own phone or LID is among jids.
func (t *Translator) includesSelf(jids []types.JID) bool {
	if t.Self == nil {
		return false
	}
	phone, lid := t.Self()
	phone, lid = phone.ToNonAD(), lid.ToNonAD()
	for _, j := range jids {
		j = j.ToNonAD()
		if !j.IsEmpty() && (j == phone || j == lid) {
			return true
		}
	}
	return false
}

// GroupChange is the settings change a group notification carries; ok is
// false when it changes none of subject, description, announce, locked.
func GroupChange(e *events.GroupInfo) (app.GroupChange, bool) {
	var c app.GroupChange
	if e.Name != nil {
		c.Subject = &e.Name.Name
	}
	if e.Topic != nil {
		topic := e.Topic.Topic
		if e.Topic.TopicDeleted {
			topic = ""
		}
		c.Description = &topic
	}
	if e.Announce != nil {
		c.Announce = &e.Announce.IsAnnounce
	}
	if e.Locked != nil {
		c.Locked = &e.Locked.IsLocked
	}
	return c, c.Subject != nil || c.Description != nil || c.Announce != nil || c.Locked != nil
}

// ParticipantChange is members changed by one action.
type ParticipantChange struct {
	Action       string
	Participants []string // JIDs as WhatsApp gave them
}

// ParticipantChanges are the member changes of a group notification, in
// the order add, remove, promote, demote; actions without members are left
// out.
func ParticipantChanges(e *events.GroupInfo) []ParticipantChange {
	var out []ParticipantChange
	for _, c := range []struct {
		action string
		jids   []types.JID
	}{
		{app.ParticipantAdd, e.Join}, {app.ParticipantRemove, e.Leave},
		{app.ParticipantPromote, e.Promote}, {app.ParticipantDemote, e.Demote},
	} {
		if len(c.jids) == 0 {
			continue
		}
		ps := make([]string, 0, len(c.jids))
		for _, j := range c.jids {
			if !j.IsEmpty() {
				ps = append(ps, j.ToNonAD().String())
			}
		}
		if len(ps) > 0 {
			out = append(out, ParticipantChange{Action: c.action, Participants: ps})
		}
	}
	return out
}
