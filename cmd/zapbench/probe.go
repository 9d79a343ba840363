package main

import (
	"bufio"
	"context"
	"math"
	"net/http"
	"os"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

// usage is where a phase's resources went: CPU by process name (sampled
// from /proc, so zapgate, postgres, RabbitMQ's beam.smp and zapbench
// itself), the database's work and zapgate's own stage histograms.
type usage struct {
	Seconds        float64            `json:"seconds"`
	CPUSeconds     map[string]float64 `json:"cpu_seconds"`               // by process name
	CPUShare       map[string]float64 `json:"cpu_share"`                 // of the whole machine, 0..1
	PGCommits      int64              `json:"pg_commits"`                // transactions committed in the bench database
	PGRowsWritten  int64              `json:"pg_rows_written"`           // inserted + updated + deleted
	StageMeansMS   map[string]float64 `json:"stage_means_ms"`            // zapgate histograms: mean over the phase
	StageCounts    map[string]float64 `json:"stage_counts"`              // and how many observations
	PerMessageCPU  map[string]float64 `json:"per_unit_cpu_ms,omitempty"` // per message (per instance in scale)
	PerMessagePG   float64            `json:"per_unit_pg_commits,omitempty"`
	PerMessageRows float64            `json:"per_unit_pg_rows,omitempty"`
}

// histograms whose means are worth reporting.
var stageHistograms = []string{
	"zapgate_http_request_duration_seconds",
	"zapgate_bot_send_duration_seconds",
	"zapgate_send_latency_seconds",
	"zapgate_webhook_attempt_duration_seconds",
	"zapgate_webhook_delivery_latency_seconds",
}

// probe measures usage between start and stop.
type probe struct {
	e      *env
	start  time.Time
	pg0    pgCounters
	m0     map[string]float64
	cancel context.CancelFunc
	done   chan struct{}

	mu    sync.Mutex
	first map[int]procCPU // CPU time of each process when first seen
	last  map[int]procCPU
}

type procCPU struct {
	comm  string
	start string // start time since boot: tells a reused pid apart
	secs  float64
}

type pgCounters struct {
	Commits int64 `db:"xact_commit"`
	Rows    int64 `db:"rows"`
}

func startProbe(ctx context.Context, e *env) *probe {
	p := &probe{e: e, start: time.Now(), done: make(chan struct{})}
	p.pg0 = p.pgCounters(ctx)
	p.m0 = scrapeMetrics(ctx, e)
	p.first = readProcs()
	p.last = make(map[int]procCPU, len(p.first))
	for pid, c := range p.first {
		p.last[pid] = c
	}
	sctx, cancel := context.WithCancel(ctx)
	p.cancel = cancel
	go func() {
		defer close(p.done)
		t := time.NewTicker(500 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-sctx.Done():
				return
			case <-t.C:
				now := readProcs()
				p.mu.Lock()
				for pid, c := range now {
					if old, ok := p.first[pid]; !ok || old.start != c.start {
						// A process born during the phase: count all its time.
						p.first[pid] = procCPU{comm: c.comm, start: c.start}
					}
				}
				for pid, c := range now {
					p.last[pid] = c
				}
				p.mu.Unlock()
			}
		}
	}()
	return p
}

// stop ends the measurement; messages (when > 0) gives per-unit figures
// (per message, or per instance in the scale phase).
func (p *probe) stop(ctx context.Context, messages int64) *usage {
	p.cancel()
	<-p.done
	now := readProcs()
	p.mu.Lock()
	for pid, c := range now {
		if old, ok := p.first[pid]; !ok || old.start != c.start {
			p.first[pid] = procCPU{comm: c.comm, start: c.start}
		}
		p.last[pid] = c
	}
	u := &usage{Seconds: time.Since(p.start).Seconds(), CPUSeconds: map[string]float64{}, CPUShare: map[string]float64{}}
	for pid, c := range p.last {
		if d := c.secs - p.first[pid].secs; d > 0 && c.start == p.first[pid].start {
			u.CPUSeconds[c.comm] += d
		}
	}
	p.mu.Unlock()
	capacity := u.Seconds * float64(runtime.NumCPU())
	for comm, s := range u.CPUSeconds {
		if s < 0.01*capacity { // keep what matters
			delete(u.CPUSeconds, comm)
			continue
		}
		u.CPUSeconds[comm] = round2(s)
		u.CPUShare[comm] = math.Round(s/capacity*1000) / 1000
	}
	// Postgres publishes a backend's counters within about a second.
	sleepCtx(ctx, 1500*time.Millisecond)
	pg1 := p.pgCounters(ctx)
	u.PGCommits = pg1.Commits - p.pg0.Commits
	u.PGRowsWritten = pg1.Rows - p.pg0.Rows
	m1 := scrapeMetrics(ctx, p.e)
	u.StageMeansMS, u.StageCounts = map[string]float64{}, map[string]float64{}
	for _, h := range stageHistograms {
		n := m1[h+"_count"] - p.m0[h+"_count"]
		if n <= 0 {
			continue
		}
		u.StageCounts[h] = n
		u.StageMeansMS[h] = round2((m1[h+"_sum"] - p.m0[h+"_sum"]) / n * 1000)
	}
	if messages > 0 {
		u.PerMessageCPU = map[string]float64{}
		for comm, s := range u.CPUSeconds {
			u.PerMessageCPU[comm] = math.Round(s/float64(messages)*1e6) / 1e3
		}
		u.PerMessagePG = round2(float64(u.PGCommits) / float64(messages))
		u.PerMessageRows = round2(float64(u.PGRowsWritten) / float64(messages))
	}
	return u
}

func (p *probe) pgCounters(ctx context.Context) pgCounters {
	var c pgCounters
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	_ = p.e.admin.GetContext(ctx, &c, `SELECT xact_commit, tup_inserted + tup_updated + tup_deleted AS rows
		FROM pg_stat_database WHERE datname = $1`, p.e.name)
	return c
}

// readProcs reads the CPU time (user + system) of every process.
func readProcs() map[int]procCPU {
	out := map[int]procCPU{}
	dir, err := os.ReadDir("/proc")
	if err != nil {
		return out
	}
	hz := 100.0 // USER_HZ is 100 on every Linux that matters
	for _, d := range dir {
		pid, err := strconv.Atoi(d.Name())
		if err != nil {
			continue
		}
		b, err := os.ReadFile("/proc/" + d.Name() + "/stat")
		if err != nil {
			continue
		}
		s := string(b)
		lp, rp := strings.IndexByte(s, '('), strings.LastIndexByte(s, ')')
		if lp < 0 || rp < lp || rp+2 > len(s) {
			continue
		}
		f := strings.Fields(s[rp+2:])
		if len(f) < 20 {
			continue
		}
		ut, _ := strconv.ParseFloat(f[11], 64)
		st, _ := strconv.ParseFloat(f[12], 64)
		comm := s[lp+1 : rp]
		if strings.HasPrefix(comm, "kworker/") { // "kworker/u8:0-writeback": the suffix is the current job
			comm = "kworker"
		}
		out[pid] = procCPU{comm: comm, start: f[19], secs: (ut + st) / hz}
	}
	return out
}

// scrapeMetrics reads zapgate's /metrics and sums each series' value over
// its labels (enough for histogram _sum and _count, and counters).
func scrapeMetrics(ctx context.Context, e *env) map[string]float64 {
	out := map[string]float64{}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, e.base+"/metrics", nil)
	if err != nil {
		return out
	}
	resp, err := e.api.hc.Do(req)
	if err != nil {
		return out
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 64*1024), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || line[0] == '#' {
			continue
		}
		name, rest := line, ""
		if i := strings.IndexAny(line, "{ "); i >= 0 {
			name = line[:i]
			rest = line[i:]
		}
		if !strings.HasSuffix(name, "_sum") && !strings.HasSuffix(name, "_count") && !strings.HasSuffix(name, "_total") {
			continue
		}
		fields := strings.Fields(rest[strings.LastIndexByte(rest, '}')+1:])
		if len(fields) == 0 {
			continue
		}
		if v, err := strconv.ParseFloat(fields[0], 64); err == nil {
			out[name] += v
		}
	}
	return out
}

// topCPU lists the processes of u by CPU share, highest first.
func (u *usage) topCPU() []string {
	type kv struct {
		k string
		v float64
	}
	var s []kv
	for k, v := range u.CPUShare {
		s = append(s, kv{k, v})
	}
	sort.Slice(s, func(i, j int) bool { return s[i].v > s[j].v })
	if len(s) > 4 {
		s = s[:4]
	}
	var out []string
	for _, x := range s {
		out = append(out, x.k+" "+strconv.FormatFloat(100*x.v, 'f', 0, 64)+"%")
	}
	return out
}

// messagesSent is zapgate's count of sends recorded as sent. Polling it
// costs zapgate a little CPU and Postgres nothing, unlike counting rows.
func messagesSent(ctx context.Context, e *env) int64 {
	return int64(scrapeMetrics(ctx, e)["zapgate_messages_sent_total"])
}
