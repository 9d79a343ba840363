package meow

import (
	"context"
	"fmt"

	"go.mau.fi/whatsmeow/proto/waE2E"
	"go.mau.fi/whatsmeow/types/events"

	"github.com/zapgate/zapgate/app"
)

// DecryptPollVote reads a vote with the secret of its poll, which
// whatsmeow stored when the poll was sent or received. It reads the store,
// so it needs a session in this process but not a live connection.
func (d *Driver) DecryptPollVote(ctx context.Context, instanceID string, evt *events.Message) (*waE2E.PollVoteMessage, error) {
	c := d.client(instanceID)
	if c == nil {
		return nil, fmt.Errorf("decrypt poll vote through %s: %w", instanceID, app.ErrNotConnected)
	}
	vote, err := c.DecryptPollVote(ctx, evt)
	if err != nil {
		return nil, fmt.Errorf("decrypt poll vote through %s: %w", instanceID, err)
	}
	return vote, nil
}
