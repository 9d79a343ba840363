package app

import (
	"context"
	"encoding/json"

	"github.com/zapgate/zapgate/domain"
)

// inviteLinkPayload is the stored payload of group_invite_link.
type inviteLinkPayload struct {
	JID   string `json:"jid"`
	Reset bool   `json:"reset"`
}

// InviteLink is the result of group_invite_link.
type InviteLink struct {
	Link string `json:"link"`
}

// GroupInviteLink asks the instance's bot for a group's invite link; reset
// revokes the old link first.
func (a *App) GroupInviteLink(ctx context.Context, instanceID, jid string, reset bool) (*domain.Command, error) {
	j, err := groupArg(jid)
	if err != nil {
		return nil, err
	}
	return a.requestCommand(ctx, instanceID, domain.CommandGroupInviteLink, inviteLinkPayload{JID: j, Reset: reset})
}

func (a *App) runGroupInviteLink(ctx context.Context, cmd *domain.Command) ([]byte, error) {
	var p inviteLinkPayload
	gm, err := a.groupCommand(cmd, &p)
	if err != nil {
		return nil, err
	}
	link, err := gm.InviteLink(ctx, cmd.InstanceID, p.JID, p.Reset)
	if err != nil {
		return nil, err
	}
	return json.Marshal(InviteLink{Link: link})
}
