package main

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/zapgate/zapgate/infra/outbox"
)

// sustainResult is a long run below saturation: does the pipeline keep up,
// or do the outbox lag and the send backlog grow?
type sustainResult struct {
	Rate      int             `json:"rate"`
	Seconds   float64         `json:"seconds"`
	Instances int             `json:"instances"`
	Offered   int             `json:"offered"`
	Accepted  int64           `json:"accepted"`
	Errors    int64           `json:"errors"`
	Samples   []sustainSample `json:"samples"` // one a second
	// First and second half averages tell a flat line from a growing one.
	LagFirstHalfS     float64 `json:"outbox_lag_first_half_s"`
	LagSecondHalfS    float64 `json:"outbox_lag_second_half_s"`
	LagMaxS           float64 `json:"outbox_lag_max_s"`
	BacklogFirstHalf  float64 `json:"backlog_first_half"`
	BacklogSecondHalf float64 `json:"backlog_second_half"`
	BacklogMax        int64   `json:"backlog_max"`
	DrainAfterSeconds float64 `json:"drain_after_s"`
}

type sustainSample struct {
	At         float64 `json:"t"`
	OutboxLagS float64 `json:"outbox_lag_s"`
	Pending    int64   `json:"outbox_pending"`
	Backlog    int64   `json:"queued"`
}

// runSustain offers rate messages/s (0: 80% of the send phase's sent/s)
// over fresh instances for cfg.SustainDuration, sampling every second.
func runSustain(ctx context.Context, cfg *config, e *env, sentPerSec float64) (*sustainResult, error) {
	rate := cfg.SustainRate
	if rate <= 0 {
		rate = int(0.8 * sentPerSec)
	}
	if rate <= 0 {
		rate = 200
	}
	r := &sustainResult{Rate: rate, Seconds: cfg.SustainDuration.Seconds(), Instances: cfg.Instances}
	var ids []string
	for i := 0; i < cfg.Instances; i++ {
		id, err := e.linkInstance(ctx, fmt.Sprintf("bench-sustain-%d", i))
		if err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	settle(ctx, cfg)
	n := int(float64(rate) * cfg.SustainDuration.Seconds())
	r.Offered = n
	logf("sustain: %d messages/s for %s over %d instances", rate, cfg.SustainDuration, len(ids))

	sctx, stopSampling := context.WithCancel(ctx)
	samples := make(chan []sustainSample, 1)
	start := time.Now()
	go func() {
		var out []sustainSample
		t := time.NewTicker(time.Second)
		defer t.Stop()
		for {
			select {
			case <-sctx.Done():
				samples <- out
				return
			case <-t.C:
			}
			pending, age, err := outbox.Lag(sctx, e.db)
			if err != nil {
				continue
			}
			var backlog int64
			_ = e.db.GetContext(sctx, &backlog, `SELECT count(*) FROM messages WHERE status = 'queued'`)
			out = append(out, sustainSample{At: time.Since(start).Seconds(), OutboxLagS: age, Pending: pending, Backlog: backlog})
		}
	}()
	var accepted, errs atomic.Int64
	paced(ctx, n, rate, 64, func(ctx context.Context, i int) {
		body := []byte(`{"to":"5511999998888","type":"text","text":` + strconv.Quote(fmt.Sprintf("sustain %d", i)) + `}`)
		st, _, err := e.api.raw(ctx, http.MethodPost, "/v1/instances/"+ids[i%len(ids)]+"/messages", body)
		if err != nil || st != http.StatusAccepted {
			errs.Add(1)
			return
		}
		accepted.Add(1)
	})
	stopSampling()
	r.Samples = <-samples
	r.Accepted, r.Errors = accepted.Load(), errs.Load()
	offeredFor := time.Since(start)

	half := len(r.Samples) / 2
	for i, s := range r.Samples {
		r.LagMaxS = max(r.LagMaxS, s.OutboxLagS)
		r.BacklogMax = max(r.BacklogMax, s.Backlog)
		if i < half {
			r.LagFirstHalfS += s.OutboxLagS / float64(max(half, 1))
			r.BacklogFirstHalf += float64(s.Backlog) / float64(max(half, 1))
		} else {
			r.LagSecondHalfS += s.OutboxLagS / float64(max(len(r.Samples)-half, 1))
			r.BacklogSecondHalf += float64(s.Backlog) / float64(max(len(r.Samples)-half, 1))
		}
	}
	err := waitFor(ctx, cfg.Timeout, 200*time.Millisecond, "the sustain backlog drained", func(ctx context.Context) (bool, error) {
		var backlog int64
		err := e.db.GetContext(ctx, &backlog, `SELECT count(*) FROM messages WHERE status = 'queued'`)
		return backlog == 0, err
	})
	r.DrainAfterSeconds = time.Since(start).Seconds() - offeredFor.Seconds()
	return r, err
}
