package app

import (
	"context"
	"encoding/json"

	"github.com/zapgate/zapgate/domain"
	"github.com/zapgate/zapgate/events"
)

// joinGroupPayload is the stored payload of join_group.
type joinGroupPayload struct {
	Code string `json:"code"`
}

// JoinGroup asks the instance's bot to join a group by its invite link (or
// the link's code); the result is the group.
func (a *App) JoinGroup(ctx context.Context, instanceID, link string) (*domain.Command, error) {
	code, err := domain.ParseInviteLink(link)
	if err != nil {
		return nil, err
	}
	return a.requestCommand(ctx, instanceID, domain.CommandJoinGroup, joinGroupPayload{Code: code})
}

// runJoinGroup joins; its ending records the group (group.joined) and the
// instance's arrival in it (group.participants), as the members see it.
func (a *App) runJoinGroup(ctx context.Context, cmd *domain.Command) ([]byte, func(Tx) error, error) {
	var p joinGroupPayload
	gm, err := a.groupCommand(cmd, &p)
	if err != nil {
		return nil, nil, err
	}
	self, err := a.selfJID(ctx, cmd.InstanceID)
	if err != nil {
		return nil, nil, err
	}
	g, err := gm.JoinGroup(ctx, cmd.InstanceID, domain.InviteLinkPrefix+p.Code)
	if err != nil {
		return nil, nil, err
	}
	info := normalizeGroup(*g)
	result, err := json.Marshal(GroupView(info))
	if err != nil {
		return nil, nil, err
	}
	also := func(tx Tx) error {
		prev, err := lockGroup(ctx, tx, cmd.InstanceID, info.JID)
		if err != nil {
			return err
		}
		if err := a.storeGroup(ctx, tx, cmd.InstanceID, self, info); err != nil {
			return err
		}
		if prev != nil || self == "" {
			return nil // already in it: nobody arrived
		}
		return tx.Publish(ctx, newEvent(events.GroupParticipants, cmd.InstanceID, a.now(),
			events.GroupParticipantsChanged{JID: info.JID, Action: ParticipantAdd, Participants: []string{self}, By: self}))
	}
	return result, also, nil
}
