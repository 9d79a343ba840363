package main

import (
	"context"
	"os"
	"time"
)

const (
	// quietCores is the CPU the machine may still use and count as quiet:
	// an idle zapgate, Postgres and RabbitMQ stay well under it.
	quietCores = 0.15
	// quietMax bounds the wait, so a machine never quiet still gets run.
	quietMax = 2 * time.Minute
)

// settle pauses between measurements: at least cfg.settle, then until the
// machine has been quiet for two seconds running. What a measurement
// leaves behind (webhook deliveries, attendance filing, the forwarders'
// backlogs) would otherwise be measured by the next one.
func settle(ctx context.Context, cfg *config) {
	start := time.Now()
	if !sleepCtx(ctx, cfg.settle) {
		return
	}
	self := os.Getpid()
	prev, at := readProcs(), time.Now()
	for quiet := 0; quiet < 2; {
		if time.Since(start) > quietMax {
			logf("not quiet after %s (over %.0f%% of a core busy); going on", quietMax, 100*quietCores)
			return
		}
		if !sleepCtx(ctx, time.Second) {
			return
		}
		now, nowAt := readProcs(), time.Now()
		busy := 0.0
		for pid, c := range now {
			if old, ok := prev[pid]; ok && pid != self && old.start == c.start {
				busy += c.secs - old.secs
			}
		}
		if busy/nowAt.Sub(at).Seconds() < quietCores {
			quiet++
		} else {
			quiet = 0
		}
		prev, at = now, nowAt
	}
	if waited := time.Since(start); waited > cfg.settle+3*time.Second {
		logf("quiet after %s", waited.Round(100*time.Millisecond))
	}
}
