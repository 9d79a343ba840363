package app

import (
	"context"
	"time"

	"github.com/zapgate/zapgate/domain"
)

// commandPoll is the fallback when a notice is lost (or there is no
// notice port): the row is read again this often.
const commandPoll = 500 * time.Millisecond

// WaitCommand returns the command once it ended, or as it stands after max
// (or when ctx ends).
func (a *App) WaitCommand(ctx context.Context, instanceID, id string, max time.Duration) (*domain.Command, error) {
	var notice <-chan struct{}
	if a.notices != nil {
		// Subscribe before the first read, so an ending between the read
		// and the wait is not missed.
		ch, cancel := a.notices.Subscribe(id)
		defer cancel()
		notice = ch
	}
	deadline := time.NewTimer(max)
	defer deadline.Stop()
	poll := time.NewTicker(commandPoll)
	defer poll.Stop()
	for {
		cmd, err := a.GetCommand(ctx, instanceID, id)
		if err != nil || cmd.Ended() {
			return cmd, err
		}
		select {
		case <-ctx.Done():
			return cmd, nil
		case <-deadline.C:
			return cmd, nil
		case <-notice:
		case <-poll.C:
		}
	}
}
