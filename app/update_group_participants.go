package app

import (
	"context"
	"encoding/json"

	"github.com/zapgate/zapgate/domain"
	"github.com/zapgate/zapgate/events"
)

// groupParticipantsPayload is the stored payload of
// update_group_participants.
type groupParticipantsPayload struct {
	JID          string   `json:"jid"`
	Action       string   `json:"action"`
	Participants []string `json:"participants"` // JIDs
}

// ParticipantsUpdated is the result of update_group_participants: how it
// went for each participant, in the order asked.
type ParticipantsUpdated struct {
	Items []ParticipantResult `json:"items"`
}

// UpdateGroupParticipants asks the instance's bot to add, remove, promote
// or demote people (1 to 1024) in a group.
func (a *App) UpdateGroupParticipants(ctx context.Context, instanceID, jid, action string, participants []string) (*domain.Command, error) {
	j, err := groupArg(jid)
	if err != nil {
		return nil, err
	}
	act, err := domain.ParseParticipantAction(action)
	if err != nil {
		return nil, err
	}
	jids, err := domain.ParseGroupParticipants(participants, 1)
	if err != nil {
		return nil, err
	}
	return a.requestCommand(ctx, instanceID, domain.CommandGroupParticipants,
		groupParticipantsPayload{JID: j, Action: string(act), Participants: jids})
}

// runGroupParticipants changes the participants; its ending applies the
// changes that succeeded to the stored group (group.participants).
func (a *App) runGroupParticipants(ctx context.Context, cmd *domain.Command) ([]byte, func(Tx) error, error) {
	var p groupParticipantsPayload
	gm, err := a.groupCommand(cmd, &p)
	if err != nil {
		return nil, nil, err
	}
	self, err := a.selfJID(ctx, cmd.InstanceID)
	if err != nil {
		return nil, nil, err
	}
	got, err := gm.UpdateParticipants(ctx, cmd.InstanceID, p.JID, p.Action, p.Participants)
	if err != nil {
		return nil, nil, err
	}
	byJID := make(map[string]ParticipantResult, len(got))
	for _, r := range got {
		if a, ok := domain.ParseAddress(r.JID); ok {
			r.JID = a.JID()
		}
		byJID[r.JID] = r
	}
	out := ParticipantsUpdated{Items: make([]ParticipantResult, 0, len(p.Participants))}
	var done []string
	for _, jid := range p.Participants {
		r, ok := byJID[jid]
		if !ok {
			r = ParticipantResult{JID: jid, Error: "not answered"}
		}
		if r.OK {
			r.Error = ""
			done = append(done, jid)
		}
		out.Items = append(out.Items, r)
	}
	result, err := json.Marshal(out)
	if err != nil {
		return nil, nil, err
	}
	also := func(tx Tx) error {
		if len(done) == 0 {
			return nil
		}
		return a.changeParticipants(ctx, tx, cmd.InstanceID, self, p.JID, p.Action, done, self, true)
	}
	return result, also, nil
}

// changeParticipants applies action to the stored group and emits
// group.participants naming whom it changed; all names every one of jids
// even when the stored group already showed the change (WhatsApp said it
// happened now). An unknown group is only announced.
func (a *App) changeParticipants(ctx context.Context, tx Tx, instanceID, self, jid, action string, jids []string, by string, all bool) error {
	g, err := lockGroup(ctx, tx, instanceID, jid)
	if err != nil {
		return err
	}
	changed := jids
	if g != nil {
		c := applyParticipants(g, action, jids)
		if len(c) > 0 {
			if err := a.saveGroup(ctx, tx, instanceID, self, *g); err != nil {
				return err
			}
		}
		if !all {
			changed = c
		}
	}
	if len(changed) == 0 {
		return nil
	}
	return tx.Publish(ctx, newEvent(events.GroupParticipants, instanceID, a.now(),
		events.GroupParticipantsChanged{JID: jid, Action: action, Participants: changed, By: by}))
}
