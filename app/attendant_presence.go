package app

import (
	"context"
	"time"

	"github.com/zapgate/zapgate/domain"
)

// FeedTTL is how long a dashboard connection counts without its API
// process renewing it: a replica that dies takes its attendants offline
// within it. KeepFeeds runs every FeedTTL/3.
const FeedTTL = 30 * time.Second

// OpenFeed records an attendant's dashboard connection held by the API
// process processID and returns its id for CloseFeed; an attendant coming
// online may take waiting attendances at once.
func (a *App) OpenFeed(ctx context.Context, attendantID, processID string) (string, error) {
	if a.presence == nil {
		return "", nil
	}
	now := a.now()
	id := domain.NewID(now)
	came, err := a.presence.OpenFeed(ctx, id, attendantID, processID, now.Add(FeedTTL), now)
	if err != nil {
		return "", err
	}
	if came {
		a.routeFor(ctx, []string{attendantID})
	}
	return id, nil
}

// CloseFeed forgets a dashboard connection that ended.
func (a *App) CloseFeed(ctx context.Context, id string) error {
	if a.presence == nil || id == "" {
		return nil
	}
	return a.presence.CloseFeed(ctx, id)
}

// KeepFeeds renews the connections of the API process processID and
// forgets the expired ones of any process.
func (a *App) KeepFeeds(ctx context.Context, processID string) error {
	if a.presence == nil {
		return nil
	}
	// Rows are forgotten well after they expire, so a process whose renewal
	// was late (Postgres unreachable for a while) finds its rows and brings
	// its attendants back online.
	now := a.now()
	return a.presence.KeepFeeds(ctx, processID, now.Add(FeedTTL), now.Add(-time.Hour))
}
