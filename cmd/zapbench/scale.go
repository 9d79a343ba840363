package main

import (
	"context"
	"fmt"
	"sync"
	"time"
)

// scaleResult is the scale phase: many instances created and linked as
// fast as possible, and what they cost in memory.
type scaleResult struct {
	Instances        int      `json:"instances"`
	Workers          int      `json:"workers"`
	Created          int      `json:"created"`
	Errors           int64    `json:"errors"`
	ErrorSamples     []string `json:"error_samples,omitempty"`
	LinkSeconds      float64  `json:"link_seconds"`      // until every scan was posted
	ConnectedSeconds float64  `json:"connected_seconds"` // until every instance was "connected"
	RSSBeforeMiB     float64  `json:"rss_before_mib"`
	RSSAfterMiB      float64  `json:"rss_after_mib"`
	PeakRSSMiB       float64  `json:"peak_rss_mib"`
	PerInstanceKiB   float64  `json:"per_instance_kib"`
	Usage            *usage   `json:"usage,omitempty"`
}

func runScale(ctx context.Context, cfg *config, e *env) (*scaleResult, error) {
	r := &scaleResult{Instances: cfg.ScaleInstances, Workers: cfg.ScaleWorkers}
	before, err := procStatus(e.pid(), "VmRSS")
	if err != nil {
		return nil, err
	}
	r.RSSBeforeMiB = float64(before) / 1024

	client := e.api.withConns(cfg.ScaleWorkers)
	defer client.close()
	var t tally
	var mu sync.Mutex
	ids := map[string]bool{}
	connected := -1 // not counted until every scan is in
	stop := progress(ctx, 2*time.Second, func() string {
		mu.Lock()
		defer mu.Unlock()
		if connected < 0 {
			return fmt.Sprintf("scale: %d/%d created and scanned, %d errors", t.ok.Load(), cfg.ScaleInstances, t.errors.Load())
		}
		return fmt.Sprintf("scale: %d/%d connected", connected, len(ids))
	})
	defer stop()
	logf("scale: creating and linking %d instances with %d workers (RSS before %.0f MiB)", cfg.ScaleInstances, cfg.ScaleWorkers, r.RSSBeforeMiB)
	pr := startProbe(ctx, e)
	start := time.Now()
	parallel(ctx, cfg.ScaleInstances, cfg.ScaleWorkers, func(ctx context.Context, i int) {
		id, err := client.createInstance(ctx, fmt.Sprintf("bench-scale-%d", i))
		if err == nil {
			mu.Lock()
			ids[id] = false
			mu.Unlock()
			err = client.scan(ctx, id, e.nextPhone(), cfg.Timeout)
		}
		t.add(0, err, nil, 0)
	})
	r.LinkSeconds = time.Since(start).Seconds()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	r.Created = len(ids)
	r.Errors, r.ErrorSamples = t.errors.Load(), t.errorSamples()
	logf("scale: %d scanned in %.1f s, %d errors; waiting until all are connected", t.ok.Load(), r.LinkSeconds, r.Errors)

	err = waitFor(ctx, cfg.Timeout, 250*time.Millisecond, "every instance connected", func(ctx context.Context) (bool, error) {
		all, err := e.api.listInstances(ctx)
		if err != nil {
			return false, err
		}
		mu.Lock()
		defer mu.Unlock()
		n := 0
		for _, in := range all {
			if _, ours := ids[in.ID]; ours && in.Status == "connected" {
				n++
			}
		}
		connected = n
		return n >= len(ids), e.alive()
	})
	r.ConnectedSeconds = time.Since(start).Seconds()
	stop()
	r.Usage = pr.stop(ctx, int64(len(ids)))
	if err != nil {
		return r, err
	}
	after, err := procStatus(e.pid(), "VmRSS")
	if err != nil {
		return r, err
	}
	r.RSSAfterMiB = float64(after) / 1024
	if hwm, err := procStatus(e.pid(), "VmHWM"); err == nil {
		r.PeakRSSMiB = float64(hwm) / 1024
	}
	if r.Created > 0 {
		r.PerInstanceKiB = float64(after-before) / float64(r.Created)
	}
	logf("scale: %d connected in %.1f s; RSS %.0f → %.0f MiB (%.0f KiB per instance)",
		r.Created, r.ConnectedSeconds, r.RSSBeforeMiB, r.RSSAfterMiB, r.PerInstanceKiB)
	return r, nil
}
