package app

import (
	"context"
	"encoding/json"

	"github.com/zapgate/zapgate/domain"
)

// updateGroupPayload is the stored payload of update_group.
type updateGroupPayload struct {
	JID    string      `json:"jid"`
	Change GroupChange `json:"change"`
}

// UpdateGroup asks the instance's bot to change a group's subject,
// description, announce or locked (at least one); the result is the group.
func (a *App) UpdateGroup(ctx context.Context, instanceID, jid string, u domain.GroupUpdate) (*domain.Command, error) {
	j, err := groupArg(jid)
	if err != nil {
		return nil, err
	}
	change := GroupChange{Subject: u.Subject, Description: u.Description, Announce: u.Announce, Locked: u.Locked}
	return a.requestCommand(ctx, instanceID, domain.CommandUpdateGroup, updateGroupPayload{JID: j, Change: change})
}

// runUpdateGroup changes the group, then reads it back from WhatsApp: the
// ending stores what WhatsApp holds now (group.updated).
func (a *App) runUpdateGroup(ctx context.Context, cmd *domain.Command) ([]byte, func(Tx) error, error) {
	var p updateGroupPayload
	gm, err := a.groupCommand(cmd, &p)
	if err != nil {
		return nil, nil, err
	}
	self, err := a.selfJID(ctx, cmd.InstanceID)
	if err != nil {
		return nil, nil, err
	}
	if err := gm.UpdateGroup(ctx, cmd.InstanceID, p.JID, p.Change); err != nil {
		return nil, nil, err
	}
	g, err := gm.GroupInfo(ctx, cmd.InstanceID, p.JID)
	if err != nil {
		return nil, nil, err
	}
	info := normalizeGroup(*g)
	result, err := json.Marshal(GroupView(info))
	if err != nil {
		return nil, nil, err
	}
	return result, func(tx Tx) error { return a.storeGroup(ctx, tx, cmd.InstanceID, self, info) }, nil
}
