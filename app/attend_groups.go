package app

import (
	"context"
	"fmt"

	"github.com/zapgate/zapgate/domain"
)

// attendsGroup tells whether the instance files group's messages as an
// attendance (read in the filing transaction, so a setting changed
// mid-batch is seen), and names the group by its subject when the bot
// recorded it.
func (a *App) attendsGroup(ctx context.Context, tx Tx, group *domain.Client) (bool, error) {
	in, err := a.instanceSettings(ctx, tx, group.InstanceID) // deleted: defaults, off
	if err != nil {
		return false, fmt.Errorf("attend group: %w", err)
	}
	if !in.AttendGroups {
		return false, nil
	}
	if a.groups == nil {
		return true, nil
	}
	g, err := a.groups.Group(ctx, group.InstanceID, group.GroupJID)
	switch {
	case domain.KindOf(err) == domain.KindNotFound:
		// Not recorded (yet): the group stays unnamed, as WhatsApp shows it.
	case err != nil:
		return false, fmt.Errorf("attend group: %w", err)
	default:
		group.PushName = g.Subject
	}
	return true, nil
}
