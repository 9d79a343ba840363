package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/lib/pq"
)

// latencyResult is the send latency phase, measured in the database:
// created_at (the message was accepted) → sent_at (the sim took it).
type latencyResult struct {
	Singles         int        `json:"singles"`
	SingleMS        *quantiles `json:"single_ms"`        // one at a time on an idle system
	SingleAcceptMS  *quantiles `json:"single_accept_ms"` // client-side time to the 202
	Rate            int        `json:"rate"`
	RateInstances   int        `json:"rate_instances"`
	Seconds         float64    `json:"seconds"`
	Messages        int        `json:"messages"`
	OfferedPerSec   float64    `json:"offered_per_sec"`
	Accepted        int64      `json:"accepted"`
	Errors          int64      `json:"errors"`
	ErrorSamples    []string   `json:"error_samples,omitempty"`
	PacedMS         *quantiles `json:"paced_ms"`
	PacedAcceptMS   *quantiles `json:"paced_accept_ms"`
	PacedDrainAfter float64    `json:"paced_drain_seconds"` // after the last request, until all were sent
	Usage           *usage     `json:"usage,omitempty"`     // of the paced part
}

func runLatency(ctx context.Context, cfg *config, e *env) (*latencyResult, error) {
	r := &latencyResult{Singles: cfg.Singles, Rate: cfg.Rate, RateInstances: max(cfg.RateInstances, 1), Seconds: cfg.Duration.Seconds()}
	// One WhatsApp number never sends hundreds a second (zapgate paces it
	// at 20 a minute by default), so the paced load is spread over several.
	var paths []string
	for i := 0; i < r.RateInstances; i++ {
		id, err := e.linkInstance(ctx, fmt.Sprintf("bench-latency-%d", i))
		if err != nil {
			return nil, err
		}
		paths = append(paths, "/v1/instances/"+id+"/messages")
	}
	post := func(ctx context.Context, c *apiClient, i int, text string) (string, int, []byte, error) {
		body := []byte(`{"to":"5511999998888","type":"text","text":` + strconv.Quote(text) + `}`)
		st, b, err := c.raw(ctx, http.MethodPost, paths[i%len(paths)], body)
		if err != nil || st != http.StatusAccepted {
			return "", st, b, err
		}
		var m struct {
			ID string `json:"id"`
		}
		if err := json.Unmarshal(b, &m); err != nil || m.ID == "" {
			return "", st, b, fmt.Errorf("no id in the answer %s", b)
		}
		return m.ID, st, b, nil
	}

	// Single messages, each waited for before the next.
	settle(ctx, cfg)
	logf("latency: %d single messages, one at a time", cfg.Singles)
	var singles []string
	var singleAccept durations
	for i := 0; i < cfg.Singles; i++ {
		t0 := time.Now()
		mid, st, b, err := post(ctx, e.api, 0, fmt.Sprintf("single %d", i))
		if err != nil || mid == "" {
			return nil, fmt.Errorf("single message: %d %s: %v", st, b, err)
		}
		singleAccept.add(time.Since(t0))
		singles = append(singles, mid)
		if err := waitFor(ctx, time.Minute, 5*time.Millisecond, "a single message sent", func(ctx context.Context) (bool, error) {
			var sent bool
			err := e.db.GetContext(ctx, &sent, `SELECT sent_at IS NOT NULL FROM messages WHERE id = $1`, mid)
			return sent, err
		}); err != nil {
			return nil, err
		}
		sleepCtx(ctx, 100*time.Millisecond)
	}
	var err error
	if r.SingleMS, err = sentLatencies(ctx, e, singles); err != nil {
		return nil, err
	}
	r.SingleAcceptMS = singleAccept.quantiles()
	logf("latency: single messages: median %.1f ms accepted → sent (202 after %.1f ms)", r.SingleMS.P50, r.SingleAcceptMS.P50)

	// Paced: rate messages a second for the duration.
	settle(ctx, cfg)
	n := int(float64(cfg.Rate) * cfg.Duration.Seconds())
	r.Messages = n
	ids := make([]string, n)
	var t tally
	var accept durations
	var sent atomic.Int64
	client := e.api.withConns(64)
	defer client.close()
	sentBefore := messagesSent(ctx, e)
	stop := progress(ctx, 2*time.Second, func() string {
		sent.Store(messagesSent(ctx, e) - sentBefore)
		return fmt.Sprintf("latency: %d/%d accepted, %d errors, %d sent", t.ok.Load(), n, t.errors.Load(), sent.Load())
	})
	defer stop()
	logf("latency: %d messages/s for %s (%d messages)", cfg.Rate, cfg.Duration, n)
	pr := startProbe(ctx, e)
	issued := paced(ctx, n, cfg.Rate, 64, func(ctx context.Context, i int) {
		t0 := time.Now()
		mid, st, b, err := post(ctx, client, i, fmt.Sprintf("paced %d", i))
		accept.add(time.Since(t0))
		if t.add(st, err, b, http.StatusAccepted) {
			ids[i] = mid
		}
	})
	lastRequest := time.Now()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	r.OfferedPerSec = float64(n) / issued.Seconds()
	r.Accepted, r.Errors, r.ErrorSamples = t.ok.Load(), t.errors.Load(), t.errorSamples()
	r.PacedAcceptMS = accept.quantiles()
	accepted := make([]string, 0, n)
	for _, mid := range ids {
		if mid != "" {
			accepted = append(accepted, mid)
		}
	}
	err = waitFor(ctx, cfg.Timeout, 250*time.Millisecond, "every paced message sent", func(ctx context.Context) (bool, error) {
		c := messagesSent(ctx, e) - sentBefore
		sent.Store(c)
		err := e.alive()
		return err == nil && c >= int64(len(accepted)), err
	})
	stop()
	r.Usage = pr.stop(ctx, r.Accepted)
	if err != nil {
		return r, err
	}
	r.PacedDrainAfter = time.Since(lastRequest).Seconds()
	if r.PacedMS, err = sentLatencies(ctx, e, accepted); err != nil {
		return r, err
	}
	logf("latency: %.0f/s offered: accepted → sent p50 %.1f ms, p95 %.1f ms, p99 %.1f ms, max %.1f ms",
		r.OfferedPerSec, r.PacedMS.P50, r.PacedMS.P95, r.PacedMS.P99, r.PacedMS.Max)
	return r, nil
}

// sentLatencies reads sent_at − created_at of the messages from the
// database, in milliseconds.
func sentLatencies(ctx context.Context, e *env, ids []string) (*quantiles, error) {
	var secs []float64
	if err := e.db.SelectContext(ctx, &secs, `SELECT extract(epoch FROM sent_at - created_at) FROM messages WHERE id = ANY($1::uuid[])`,
		pq.Array(ids)); err != nil {
		return nil, err
	}
	ms := make([]float64, len(secs))
	for i, s := range secs {
		ms[i] = s * 1000
	}
	return quantilesOf(ms), nil
}
