package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/zapgate/zapgate/app"
	"github.com/zapgate/zapgate/domain"
	"github.com/zapgate/zapgate/infra/config"
	"github.com/zapgate/zapgate/infra/postgres"
)

// replayCommand is `zapgate events replay`: the same replay as
// POST /v1/events/replay, from the command line, run by the operator on
// the database directly (no admin token). It records the replay and, unless
// --no-wait, runs it inline batch by batch, printing its progress as JSON
// lines; when a serving zapgate's worker holds the replay meanwhile, it
// watches that one finish instead. Killed half-way, the replay is finished
// by any zapgate running the scheduler role.
func replayCommand(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("events replay", flag.ContinueOnError)
	since := fs.String("since", "", "replay events from this RFC 3339 time (required)")
	until := fs.String("until", "", "up to this RFC 3339 time (default: now)")
	types := fs.String("type", "", "comma list of event types (default: all)")
	instance := fs.String("instance", "", "only this instance's events")
	target := fs.String("target", "all", "webhooks, websocket or all")
	webhookID := fs.String("webhook", "", "only this webhook subscription")
	noWait := fs.Bool("no-wait", false, "record the replay and leave it to the scheduler role of a running zapgate")
	if err := parseFlags(fs, "events replay --since T [flags]", args, stdout, stderr); err != nil {
		return helpIsDone(err)
	}
	parse := func(name, v string) (*time.Time, error) {
		if v == "" {
			return nil, nil
		}
		t, err := time.Parse(time.RFC3339, v)
		if err != nil {
			return nil, fmt.Errorf("--%s: %q is not an RFC 3339 time", name, v)
		}
		return &t, nil
	}
	if *since == "" {
		return fmt.Errorf("--since is required")
	}
	from, err := parse("since", *since)
	if err != nil {
		return err
	}
	to, err := parse("until", *until)
	if err != nil {
		return err
	}
	_, log, db, err := loadAndConnect(ctx, config.LoadOperator, getenv, stderr)
	if err != nil {
		return err
	}
	defer db.Close()
	store := postgres.NewStore(db, log)
	a := app.New(app.Deps{Store: store, Webhooks: store, EventLog: postgres.NewEventLog(store), Replays: store, Log: log})
	var typeList []string
	for _, t := range strings.Split(*types, ",") {
		if t = strings.TrimSpace(t); t != "" {
			typeList = append(typeList, t)
		}
	}
	user := getenv("USER")
	host, _ := os.Hostname()
	r, err := a.ReplayEvents(ctx, app.ReplayRequest{Since: from, Until: to, Types: typeList, InstanceID: *instance,
		Target: *target, WebhookID: *webhookID, Actor: "cli:" + user + "@" + host})
	if err != nil {
		return err
	}
	out := json.NewEncoder(stdout)
	report := func(r *domain.Replay) error {
		return out.Encode(map[string]any{"replay_id": r.ID, "status": r.Status, "count": r.Count, "sent": r.Sent,
			"truncated": r.Truncated})
	}
	if err := report(r); err != nil || *noWait {
		return err
	}
	return runReplay(ctx, a, r, report)
}

// replayWatchPoll is how often the CLI looks at a replay another process
// is running.
const replayWatchPoll = 500 * time.Millisecond

// runReplay advances r until it is done, reporting each change.
func runReplay(ctx context.Context, a *app.App, r *domain.Replay, report func(*domain.Replay) error) error {
	for r.Status == domain.ReplayRunning {
		next, err := a.AdvanceReplay(ctx, r.ID, app.ReplayBatch)
		if err != nil {
			return err
		}
		if next == nil { // a worker of a running zapgate holds it this moment
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(replayWatchPoll):
			}
			if next, err = a.GetReplay(ctx, r.ID); err != nil {
				return err
			}
		}
		changed := next.Sent != r.Sent || next.Status != r.Status
		r = next
		if changed {
			if err := report(r); err != nil {
				return err
			}
		}
	}
	return nil
}
