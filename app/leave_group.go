package app

import (
	"context"

	"github.com/zapgate/zapgate/domain"
	"github.com/zapgate/zapgate/events"
)

// LeaveGroup asks the instance's bot to leave a group; the result is
// {"jid"}.
func (a *App) LeaveGroup(ctx context.Context, instanceID, jid string) (*domain.Command, error) {
	j, err := groupArg(jid)
	if err != nil {
		return nil, err
	}
	return a.requestCommand(ctx, instanceID, domain.CommandLeaveGroup, events.GroupLeftData{JID: j})
}

// runLeaveGroup leaves; its ending forgets the group (group.left).
func (a *App) runLeaveGroup(ctx context.Context, cmd *domain.Command) ([]byte, func(Tx) error, error) {
	var p events.GroupLeftData
	gm, err := a.groupCommand(cmd, &p)
	if err != nil {
		return nil, nil, err
	}
	if err := gm.LeaveGroup(ctx, cmd.InstanceID, p.JID); err != nil {
		return nil, nil, err
	}
	return cmd.Payload, func(tx Tx) error { return a.dropGroup(ctx, tx, cmd.InstanceID, p.JID) }, nil
}
