package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// ceilingResult is what pgbench says this Postgres can do for the write
// pattern of an accepted message: one transaction that inserts a message
// row and an outbox row.
type ceilingResult struct {
	TPS        float64 `json:"tps"`
	LatencyMS  float64 `json:"latency_avg_ms"`
	Clients    int     `json:"clients"`
	Threads    int     `json:"threads"`
	Seconds    float64 `json:"seconds"`
	Transacted int64   `json:"transactions"`
	Script     string  `json:"script"`
}

const ceilingSchema = `
CREATE TABLE bench_messages (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    instance_id uuid NOT NULL,
    body        text NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE bench_outbox (
    "offset"   bigserial PRIMARY KEY,
    payload    json,
    created_at timestamptz NOT NULL DEFAULT now()
);`

// The script is what one accepted message costs at minimum: a message row
// and an outbox row in one transaction, committed durably.
const ceilingScript = `BEGIN;
INSERT INTO bench_messages (instance_id, body) VALUES ('0193a5b2-7c1e-7d3a-9f00-000000000001', 'bench message');
INSERT INTO bench_outbox (payload) VALUES ('{"uuid":"0193a5b2-7c1e-7d3a-9f00-000000000002","payload":{"type":"message.send","to":"5511999998888","text":"bench message"},"metadata":{"instance_id":"0193a5b2-7c1e-7d3a-9f00-000000000001"}}');
COMMIT;
`

var (
	tpsRe     = regexp.MustCompile(`(?m)^tps = ([0-9.]+)`)
	latencyRe = regexp.MustCompile(`(?m)^latency average = ([0-9.]+) ms`)
	txRe      = regexp.MustCompile(`(?m)^number of transactions actually processed: ([0-9]+)`)
)

func runCeiling(ctx context.Context, cfg *config, e *env) (*ceilingResult, error) {
	if _, err := e.db.ExecContext(ctx, ceilingSchema); err != nil {
		return nil, fmt.Errorf("creating the scratch tables: %w", err)
	}
	defer func() {
		// The tables are scratch: leave the database to zapgate.
		dctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
		defer cancel()
		_, _ = e.db.ExecContext(dctx, `DROP TABLE IF EXISTS bench_messages, bench_outbox`)
	}()
	script := filepath.Join(e.dir, "ceiling.sql")
	if err := os.WriteFile(script, []byte(ceilingScript), 0o600); err != nil {
		return nil, err
	}
	threads := 2
	if cfg.CeilingClients < threads {
		threads = cfg.CeilingClients
	}
	secs := int(cfg.CeilingDuration.Round(time.Second) / time.Second)
	if secs < 1 {
		secs = 1
	}
	args := []string{"-n", "-c", strconv.Itoa(cfg.CeilingClients), "-j", strconv.Itoa(threads),
		"-T", strconv.Itoa(secs), "-f", script, e.dbURL}
	logf("pgbench %s (%d s)", strings.Join(args[:len(args)-1], " "), secs)
	cmd := exec.CommandContext(ctx, "pgbench", args...)
	var out bytes.Buffer
	cmd.Stdout = &out
	cmd.Stderr = &out
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("pgbench: %w\n%s", err, tailLines(out.String(), 15))
	}
	m := tpsRe.FindStringSubmatch(out.String())
	if m == nil {
		return nil, fmt.Errorf("no \"tps = N\" in pgbench's output:\n%s", out.String())
	}
	r := &ceilingResult{Clients: cfg.CeilingClients, Threads: threads, Seconds: float64(secs), Script: ceilingScript}
	r.TPS, _ = strconv.ParseFloat(m[1], 64)
	if m := latencyRe.FindStringSubmatch(out.String()); m != nil {
		r.LatencyMS, _ = strconv.ParseFloat(m[1], 64)
	}
	if m := txRe.FindStringSubmatch(out.String()); m != nil {
		r.Transacted, _ = strconv.ParseInt(m[1], 10, 64)
	}
	logf("ceiling: %.0f tps (average latency %.2f ms, %d transactions)", r.TPS, r.LatencyMS, r.Transacted)
	return r, nil
}

func tailLines(s string, n int) string {
	var lines []string
	sc := bufio.NewScanner(strings.NewReader(s))
	for sc.Scan() {
		lines = append(lines, sc.Text())
	}
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
