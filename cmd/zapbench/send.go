package main

import (
	"context"
	"database/sql"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/lib/pq"
)

// sendResult is the send saturation phase: many clients post text
// messages as fast as zapgate accepts them, then zapgate drains them to
// the sim.
type sendResult struct {
	Instances      int            `json:"instances"`
	Clients        int            `json:"clients"`
	Messages       int            `json:"messages"`
	Accepted       int64          `json:"accepted"`
	Errors         int64          `json:"errors"`
	ErrorSamples   []string       `json:"error_samples,omitempty"`
	AcceptSeconds  float64        `json:"accept_seconds"`
	AcceptedPerSec float64        `json:"accepted_per_sec"`
	SentSeconds    float64        `json:"sent_seconds"`
	SentPerSec     float64        `json:"sent_per_sec"`
	AcceptMS       *quantiles     `json:"accept_ms"`         // client-side time to the 202
	QueuedToSentMS *quantiles     `json:"queued_to_sent_ms"` // created_at → sent_at, under saturation
	Statuses       map[string]int `json:"statuses"`
	PeakRSSMiB     float64        `json:"peak_rss_mib"`
	Usage          *usage         `json:"usage,omitempty"`
}

func runSend(ctx context.Context, cfg *config, e *env) (*sendResult, error) {
	r := &sendResult{Instances: cfg.Instances, Clients: cfg.Clients, Messages: cfg.Messages}
	ids := make([]string, cfg.Instances)
	var linkErr error
	var mu sync.Mutex
	logf("send: linking %d instances", cfg.Instances)
	parallel(ctx, cfg.Instances, 8, func(ctx context.Context, i int) {
		id, err := e.linkInstance(ctx, fmt.Sprintf("bench-send-%d", i))
		mu.Lock()
		defer mu.Unlock()
		ids[i] = id
		if err != nil && linkErr == nil {
			linkErr = err
		}
	})
	if linkErr != nil {
		return nil, linkErr
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	before, err := e.api.simStats(ctx)
	if err != nil {
		return nil, err
	}
	sentBefore := messagesSent(ctx, e)

	client := e.api.withConns(cfg.Clients)
	defer client.close()
	var t tally
	var accept durations
	stop := progress(ctx, 2*time.Second, func() string {
		sent := messagesSent(ctx, e) - sentBefore
		return fmt.Sprintf("send: %d/%d accepted, %d errors, %d sent", t.ok.Load(), cfg.Messages, t.errors.Load(), sent)
	})
	defer stop()

	logf("send: %d messages from %d clients over %d instances", cfg.Messages, cfg.Clients, cfg.Instances)
	pr := startProbe(ctx, e)
	start := time.Now()
	parallel(ctx, cfg.Messages, cfg.Clients, func(ctx context.Context, i int) {
		body := []byte(`{"to":"5511999998888","type":"text","text":"bench ` + strconv.Itoa(i) + `"}`)
		t0 := time.Now()
		st, b, err := client.raw(ctx, http.MethodPost, "/v1/instances/"+ids[i%len(ids)]+"/messages", body)
		accept.add(time.Since(t0))
		t.add(st, err, b, http.StatusAccepted)
	})
	acceptDur := time.Since(start)
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	r.Accepted, r.Errors, r.ErrorSamples = t.ok.Load(), t.errors.Load(), t.errorSamples()
	r.AcceptSeconds = acceptDur.Seconds()
	r.AcceptedPerSec = float64(r.Accepted) / acceptDur.Seconds()
	r.AcceptMS = accept.quantiles()
	logf("send: %d accepted in %s (%.0f/s), %d errors", r.Accepted, acceptDur.Round(time.Millisecond), r.AcceptedPerSec, r.Errors)

	// Drain: every accepted message must be sent. zapgate's counter is
	// polled, not the sim's table: counting rows every 250 ms would cost
	// Postgres more than some of the pipeline's own stages. The sim's own
	// count is checked once at the end.
	err = waitFor(ctx, cfg.Timeout, 250*time.Millisecond, "every accepted message sent", func(ctx context.Context) (bool, error) {
		return messagesSent(ctx, e)-sentBefore >= r.Accepted, e.alive()
	})
	if err == nil {
		var st simStats
		if st, err = e.api.simStats(ctx); err == nil && st.Sent-before.Sent < r.Accepted {
			err = fmt.Errorf("the sim holds %d sends of %d accepted messages", st.Sent-before.Sent, r.Accepted)
		}
	}
	pollDone := time.Now()
	stop()
	r.Usage = pr.stop(ctx, r.Accepted)
	r.Statuses = messageStatuses(ctx, e, ids)
	if err != nil {
		return r, fmt.Errorf("%w (message statuses: %v)", err, r.Statuses)
	}
	// The last sent_at pins the end more closely than the poll did.
	var last sql.NullTime
	if err := e.db.GetContext(ctx, &last, `SELECT max(sent_at) FROM messages WHERE instance_id = ANY($1::uuid[]) AND direction = 'out'`,
		pq.Array(ids)); err != nil || !last.Valid || last.Time.Before(start) {
		last.Time = pollDone
	}
	sentDur := last.Time.Sub(start)
	r.SentSeconds = sentDur.Seconds()
	r.SentPerSec = float64(r.Accepted) / sentDur.Seconds()
	var lat []float64
	if err := e.db.SelectContext(ctx, &lat, `SELECT extract(epoch FROM sent_at - created_at) * 1000 FROM messages
		WHERE instance_id = ANY($1::uuid[]) AND sent_at IS NOT NULL`, pq.Array(ids)); err != nil {
		return r, err
	}
	r.QueuedToSentMS = quantilesOf(lat)
	if hwm, err := procStatus(e.pid(), "VmHWM"); err == nil {
		r.PeakRSSMiB = float64(hwm) / 1024
	}
	logf("send: %d sent in %s (%.0f/s), peak RSS %.0f MiB", r.Accepted, sentDur.Round(time.Millisecond), r.SentPerSec, r.PeakRSSMiB)
	logf("send: CPU %s; %.1f Postgres commits and %.1f rows written per message", strings.Join(r.Usage.topCPU(), ", "),
		r.Usage.PerMessagePG, r.Usage.PerMessageRows)
	return r, nil
}

// messageStatuses counts the instances' outgoing messages per status.
func messageStatuses(ctx context.Context, e *env, ids []string) map[string]int {
	var rows []struct {
		Status string `db:"status"`
		N      int    `db:"n"`
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	if err := e.db.SelectContext(ctx, &rows, `SELECT status, count(*) AS n FROM messages
		WHERE instance_id = ANY($1::uuid[]) AND direction = 'out' GROUP BY status`, pq.Array(ids)); err != nil {
		return map[string]int{"query error: " + err.Error(): 0}
	}
	m := map[string]int{}
	for _, row := range rows {
		m[row.Status] = row.N
	}
	return m
}
