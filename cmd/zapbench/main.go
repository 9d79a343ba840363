// Command zapbench measures zapgate on this machine: the Postgres ceiling
// (pgbench), send throughput and latency, inbound webhook throughput and
// latency, and the memory cost of many linked instances. It builds zapgate,
// runs it with the simulated WhatsApp driver against a fresh database and a
// fresh RabbitMQ vhost, and removes both at the end (also on Ctrl-C).
//
// It only reports; it never fails on a slow figure.
//
//	go run ./cmd/zapbench [-quick] [-out bench.json] [flags]
//	task bench -- [flags]
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"
)

// config holds every knob; -quick shrinks the sizes that were not set
// explicitly.
type config struct {
	PG      string
	AMQP    string
	Out     string
	Quick   bool
	Phases  string
	Timeout time.Duration

	CeilingClients  int
	CeilingDuration time.Duration

	Instances int
	Messages  int
	Clients   int

	Singles       int
	Rate          int
	RateInstances int
	Duration      time.Duration

	Inbound         int
	InboundClients  int
	InboundRate     int
	InboundDuration time.Duration

	ScaleInstances int
	ScaleWorkers   int

	SustainRate     int
	SustainDuration time.Duration

	Profile        string
	ProfilePhase   string
	ProfileSeconds int
	Binary         string
	Logs           bool
	settle         time.Duration // least pause between measurements (see settle)
}

var phaseNames = []string{"ceiling", "send", "latency", "sustain", "inbound", "scale"}

func parseFlags(args []string) (*config, error) {
	c := &config{}
	fs := flag.NewFlagSet("zapbench", flag.ContinueOnError)
	fs.StringVar(&c.PG, "pg", "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable", "Postgres server URL (a user that may create databases)")
	fs.StringVar(&c.AMQP, "amqp", "amqp://guest:guest@127.0.0.1:5672/", "RabbitMQ base URL (a vhost is created with rabbitmqctl)")
	fs.StringVar(&c.Out, "out", "bench.json", "write the figures as JSON here")
	fs.BoolVar(&c.Quick, "quick", false, "a small smoke run (2 instances, 2,000 messages, 100/s for 5 s, 1,000 inbound, 100 scale instances)")
	fs.StringVar(&c.Phases, "phases", strings.Join(phaseNames, ","), "phases to run, comma separated")
	fs.DurationVar(&c.Timeout, "timeout", 10*time.Minute, "how long to wait for a phase's work to finish (all sent, all delivered, all connected)")
	fs.IntVar(&c.CeilingClients, "ceiling-clients", 16, "pgbench clients (-c)")
	fs.DurationVar(&c.CeilingDuration, "ceiling-duration", 10*time.Second, "pgbench duration (-T)")
	fs.IntVar(&c.Instances, "instances", 8, "instances for the send saturation phase")
	fs.IntVar(&c.Messages, "messages", 20000, "messages in the send saturation phase")
	fs.IntVar(&c.Clients, "clients", 64, "concurrent HTTP clients in the send saturation phase")
	fs.IntVar(&c.Singles, "singles", 20, "single messages, one at a time, on an idle system")
	fs.IntVar(&c.Rate, "rate", 500, "messages per second in the paced latency phase")
	fs.IntVar(&c.RateInstances, "rate-instances", 8, "instances the paced latency phase sends through, round-robin")
	fs.DurationVar(&c.Duration, "duration", 10*time.Second, "length of the paced latency phase")
	fs.IntVar(&c.Inbound, "inbound", 5000, "inbound messages in the inbound saturation phase")
	fs.IntVar(&c.InboundClients, "inbound-clients", 32, "concurrent clients in the inbound saturation phase")
	fs.IntVar(&c.InboundRate, "inbound-rate", 200, "inbound messages per second in the inbound latency phase")
	fs.DurationVar(&c.InboundDuration, "inbound-duration", 10*time.Second, "length of the inbound latency phase")
	fs.IntVar(&c.ScaleInstances, "scale-instances", 1000, "instances created and linked in the scale phase")
	fs.IntVar(&c.ScaleWorkers, "scale-workers", 16, "concurrent workers in the scale phase")
	fs.IntVar(&c.SustainRate, "sustain-rate", 0, "messages per second in the sustain phase (0: 80% of the send phase's sent/s)")
	fs.DurationVar(&c.SustainDuration, "sustain-duration", 60*time.Second, "length of the sustain phase")
	fs.StringVar(&c.Profile, "profile", "", "write a CPU profile of zapgate, taken at the start of -profile-phase, to this file (uses ZAPGATE_PPROF_ADDR)")
	fs.StringVar(&c.ProfilePhase, "profile-phase", "send", "the phase -profile covers")
	fs.IntVar(&c.ProfileSeconds, "profile-seconds", 10, "length of the -profile capture")
	fs.StringVar(&c.Binary, "binary", "", "use this zapgate binary instead of building ./cmd/zapgate")
	fs.BoolVar(&c.Logs, "logs", false, "copy zapgate's logs to stderr")
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), `zapbench builds zapgate, runs it with the simulated WhatsApp driver against a
fresh Postgres database and RabbitMQ vhost (both removed at the end), and
measures the Postgres ceiling (pgbench), send throughput and latency, inbound
webhook throughput and latency, and the memory cost of linked instances.
Run it from the repository root: go run ./cmd/zapbench [flags]  (or: task bench -- [flags])

`)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected arguments: %s", strings.Join(fs.Args(), " "))
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	if c.Quick {
		quick := map[string]func(){
			"ceiling-duration": func() { c.CeilingDuration = 5 * time.Second },
			"instances":        func() { c.Instances = 2 },
			"messages":         func() { c.Messages = 2000 },
			"singles":          func() { c.Singles = 10 },
			"rate":             func() { c.Rate = 100 },
			"rate-instances":   func() { c.RateInstances = 2 },
			"duration":         func() { c.Duration = 5 * time.Second },
			"inbound":          func() { c.Inbound = 1000 },
			"inbound-rate":     func() { c.InboundRate = 100 },
			"inbound-duration": func() { c.InboundDuration = 5 * time.Second },
			"scale-instances":  func() { c.ScaleInstances = 100 },
			"sustain-duration": func() { c.SustainDuration = 10 * time.Second },
		}
		for name, apply := range quick {
			if !set[name] {
				apply()
			}
		}
	}
	for _, p := range strings.Split(c.Phases, ",") {
		if !contains(phaseNames, strings.TrimSpace(p)) {
			return nil, fmt.Errorf("-phases: unknown phase %q (known: %s)", p, strings.Join(phaseNames, ","))
		}
	}
	if c.Profile != "" && !contains(phaseNames[1:], c.ProfilePhase) {
		return nil, fmt.Errorf("-profile-phase: %q is not one of %s", c.ProfilePhase, strings.Join(phaseNames[1:], ","))
	}
	for name, v := range map[string]int{"instances": c.Instances, "messages": c.Messages, "clients": c.Clients,
		"rate": c.Rate, "rate-instances": c.RateInstances, "inbound": c.Inbound, "inbound-clients": c.InboundClients, "inbound-rate": c.InboundRate,
		"scale-instances": c.ScaleInstances, "scale-workers": c.ScaleWorkers, "ceiling-clients": c.CeilingClients, "singles": c.Singles} {
		if v < 1 {
			return nil, fmt.Errorf("-%s must be at least 1", name)
		}
	}
	c.settle = 2 * time.Second
	return c, nil
}

func (c *config) runs(phase string) bool {
	for _, p := range strings.Split(c.Phases, ",") {
		if strings.TrimSpace(p) == phase {
			return true
		}
	}
	return false
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func main() {
	cfg, err := parseFlags(os.Args[1:])
	if errors.Is(err, flag.ErrHelp) {
		os.Exit(0)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "zapbench:", err)
		os.Exit(2)
	}
	ctx, cancel := context.WithCancel(context.Background())
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	go func() {
		select {
		case <-sigs:
			logf("interrupted: stopping and cleaning up (interrupt again to abort at once)")
			signal.Stop(sigs) // a second interrupt kills zapbench the ordinary way
			cancel()
		case <-ctx.Done():
		}
	}()
	code := run(ctx, cfg)
	cancel()
	os.Exit(code)
}

// run executes the phases and returns the exit code. Everything it creates
// is removed before it returns.
func run(ctx context.Context, cfg *config) int {
	res := &results{Machine: machineInfo(), Config: cfg, Started: time.Now().UTC()}
	e, err := setup(ctx, cfg)
	if e != nil {
		defer e.cleanup()
	}
	if err != nil {
		logf("setup failed: %v", err)
		return 1
	}
	res.Machine.Postgres = e.pgVersion(ctx)

	failed := false
	phase := func(name string, f func() error) {
		if !cfg.runs(name) || ctx.Err() != nil {
			return
		}
		logf("== %s", name)
		if cfg.Profile != "" && name == cfg.ProfilePhase && e.pprofAddr != "" {
			done := make(chan struct{})
			defer func() { <-done }()
			go func() {
				defer close(done)
				if err := captureProfile(ctx, e.pprofAddr, cfg.ProfileSeconds, cfg.Profile); err != nil {
					logf("CPU profile: %v", err)
					return
				}
				logf("CPU profile of zapgate during %s written to %s (go tool pprof -top %s)", name, cfg.Profile, cfg.Profile)
			}()
		}
		start := time.Now()
		if err := f(); err != nil && ctx.Err() == nil {
			failed = true
			res.Errors = append(res.Errors, fmt.Sprintf("%s: %v", name, err))
			logf("%s failed: %v", name, err)
			if tail := e.logTail(20); tail != "" {
				logf("zapgate's last log lines:\n%s", tail)
			}
		}
		logf("%s done in %s", name, time.Since(start).Round(time.Millisecond))
		settle(ctx, cfg)
	}

	// The ceiling runs before zapgate starts, so nothing competes with it.
	phase("ceiling", func() (err error) { res.Ceiling, err = runCeiling(ctx, cfg, e); return })
	if ctx.Err() == nil {
		if err := e.startZapgate(ctx); err != nil {
			logf("starting zapgate: %v", err)
			if tail := e.logTail(40); tail != "" {
				logf("zapgate's last log lines:\n%s", tail)
			}
			return 1
		}
	}
	phase("send", func() (err error) { res.Send, err = runSend(ctx, cfg, e); return })
	phase("latency", func() (err error) { res.Latency, err = runLatency(ctx, cfg, e); return })
	phase("sustain", func() (err error) {
		sent := 0.0
		if res.Send != nil {
			sent = res.Send.SentPerSec
		}
		res.Sustain, err = runSustain(ctx, cfg, e, sent)
		return
	})
	phase("inbound", func() (err error) { res.Inbound, err = runInbound(ctx, cfg, e); return })
	phase("scale", func() (err error) { res.Scale, err = runScale(ctx, cfg, e); return })

	res.Finished = time.Now().UTC()
	if ctx.Err() != nil {
		res.Errors = append(res.Errors, "interrupted")
	}
	printTable(os.Stdout, res)
	if err := writeJSON(cfg.Out, res); err != nil {
		logf("writing %s: %v", cfg.Out, err)
		return 1
	}
	logf("figures written to %s", cfg.Out)
	if failed || ctx.Err() != nil {
		return 1
	}
	return 0
}

// logf prints a progress line on stderr.
func logf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "%s zapbench: %s\n", time.Now().Format("15:04:05.000"), fmt.Sprintf(format, args...))
}

// sleepCtx sleeps for d or until ctx is done; it reports whether it slept
// the whole time.
func sleepCtx(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}

// progress prints line() every interval until the returned stop is called.
func progress(ctx context.Context, every time.Duration, line func() string) (stop func()) {
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				logf("%s", line())
			}
		}
	}()
	return func() { cancel(); <-done }
}

// fatalError ends a waitFor at once (zapgate is gone).
type fatalError struct{ err error }

func (f fatalError) Error() string { return f.err.Error() }
func (f fatalError) Unwrap() error { return f.err }

// waitFor polls cond every interval until it is true, the timeout passes or
// ctx ends.
func waitFor(ctx context.Context, timeout, interval time.Duration, what string, cond func(context.Context) (bool, error)) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	for {
		ok, err := cond(ctx)
		if ok {
			return nil
		}
		var fatal fatalError
		if errors.As(err, &fatal) {
			return fmt.Errorf("waiting for %s: %w", what, err)
		}
		if ctx.Err() != nil {
			if err != nil {
				return fmt.Errorf("waiting for %s: %w (last error: %v)", what, ctx.Err(), err)
			}
			return fmt.Errorf("waiting for %s: %w", what, ctx.Err())
		}
		sleepCtx(ctx, interval)
	}
}
