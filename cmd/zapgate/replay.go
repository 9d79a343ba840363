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
	"github.com/zapgate/zapgate/infra/postgres"
)

// replayCommand is `zapgate events replay`: the same replay as
// POST /v1/events/replay, from the command line. It needs only Postgres:
// webhook replays become deliveries, websocket replays go through the outbox.
func replayCommand(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("events replay", flag.ContinueOnError)
	since := fs.String("since", "", "replay events from this RFC 3339 time (required)")
	until := fs.String("until", "", "up to this RFC 3339 time (default: now)")
	types := fs.String("type", "", "comma list of event types (default: all)")
	instance := fs.String("instance", "", "only this instance's events")
	target := fs.String("target", "all", "webhooks, websocket or all")
	webhookID := fs.String("webhook", "", "only this webhook subscription")
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
	cfg, log, db, err := loadAndConnect(ctx, getenv, stderr)
	if err != nil {
		return err
	}
	defer db.Close()
	store := postgres.NewStore(db, log)
	a := app.New(app.Deps{AdminToken: cfg.AdminToken, Store: store, Webhooks: store, EventLog: postgres.NewEventLog(store), Log: log})
	var typeList []string
	for _, t := range strings.Split(*types, ",") {
		if t = strings.TrimSpace(t); t != "" {
			typeList = append(typeList, t)
		}
	}
	user := getenv("USER")
	host, _ := os.Hostname()
	res, err := a.ReplayEvents(ctx, app.ReplayRequest{Since: from, Until: to, Types: typeList, InstanceID: *instance,
		Target: *target, WebhookID: *webhookID, Actor: "cli:" + user + "@" + host})
	if err != nil {
		return err
	}
	return json.NewEncoder(stdout).Encode(map[string]any{"replay_id": res.ReplayID, "count": res.Count, "truncated": res.Truncated})
}
