package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"
)

// results is everything zapbench measured; it is written as JSON.
type results struct {
	Machine  machine        `json:"machine"`
	Config   *config        `json:"-"`
	Settings map[string]any `json:"settings"`
	Started  time.Time      `json:"started"`
	Finished time.Time      `json:"finished"`
	Ceiling  *ceilingResult `json:"ceiling,omitempty"`
	Send     *sendResult    `json:"send,omitempty"`
	Latency  *latencyResult `json:"latency,omitempty"`
	Inbound  *inboundResult `json:"inbound,omitempty"`
	Scale    *scaleResult   `json:"scale,omitempty"`
	Sustain  *sustainResult `json:"sustain,omitempty"`
	Ratios   map[string]any `json:"ratios_to_ceiling,omitempty"`
	Errors   []string       `json:"errors,omitempty"`
}

type machine struct {
	CPUs      int     `json:"cpus"`
	CPUModel  string  `json:"cpu_model,omitempty"`
	MemoryGiB float64 `json:"memory_gib"`
	Kernel    string  `json:"kernel,omitempty"`
	GoVersion string  `json:"go_version"`
	OS        string  `json:"os"`
	Postgres  string  `json:"postgres,omitempty"`
	Date      string  `json:"date"`
}

func machineInfo() machine {
	m := machine{
		CPUs:      runtime.NumCPU(),
		GoVersion: runtime.Version(),
		OS:        runtime.GOOS + "/" + runtime.GOARCH,
		Date:      time.Now().UTC().Format(time.RFC3339),
	}
	if kib := procField("/proc/meminfo", "MemTotal"); kib != "" {
		if n, err := strconv.ParseFloat(strings.Fields(kib)[0], 64); err == nil {
			m.MemoryGiB = math.Round(n/1024/1024*10) / 10
		}
	}
	m.CPUModel = procField("/proc/cpuinfo", "model name")
	if b, err := os.ReadFile("/proc/sys/kernel/osrelease"); err == nil {
		m.Kernel = strings.TrimSpace(string(b))
	}
	return m
}

// procField returns the value of the first "name: value" line of a /proc
// file.
func procField(path, name string) string {
	f, err := os.Open(path)
	if err != nil {
		return ""
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		if ok && strings.TrimSpace(k) == name {
			return strings.TrimSpace(v)
		}
	}
	return ""
}

// quantiles of a sample, in milliseconds (nearest rank).
type quantiles struct {
	N    int     `json:"n"`
	Mean float64 `json:"mean"`
	P50  float64 `json:"p50"`
	P95  float64 `json:"p95"`
	P99  float64 `json:"p99"`
	Max  float64 `json:"max"`
}

func quantilesOf(xs []float64) *quantiles {
	if len(xs) == 0 {
		return nil
	}
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	at := func(p float64) float64 {
		i := int(math.Ceil(p*float64(len(s)))) - 1
		if i < 0 {
			i = 0
		}
		return round2(s[i])
	}
	var sum float64
	for _, x := range s {
		sum += x
	}
	return &quantiles{N: len(s), Mean: round2(sum / float64(len(s))), P50: at(0.50), P95: at(0.95), P99: at(0.99), Max: round2(s[len(s)-1])}
}

func round2(x float64) float64 { return math.Round(x*100) / 100 }

// row is one line of the summary table.
type row struct {
	phase, metric, value, ratio string
}

func (r *results) rows() []row {
	var rows []row
	tps := 0.0
	if r.Ceiling != nil {
		tps = r.Ceiling.TPS
	}
	ratio := func(x float64) string {
		if tps <= 0 {
			return ""
		}
		return fmt.Sprintf("%.1f%%", 100*x/tps)
	}
	f0 := func(x float64) string { return strconv.FormatFloat(x, 'f', 0, 64) }
	ms := func(x float64) string { return fmt.Sprintf("%.1f ms", x) }
	add := func(phase, metric, value, ratio string) { rows = append(rows, row{phase, metric, value, ratio}) }
	addUsage := func(phase string, u *usage, per string) {
		if u == nil {
			return
		}
		if top := u.topCPU(); len(top) > 0 {
			add(phase, "CPU of the machine", strings.Join(top, ", "), "")
		}
		if u.PerMessagePG > 0 {
			add(phase, "Postgres commits / rows written per "+per, fmt.Sprintf("%.1f / %.1f", u.PerMessagePG, u.PerMessageRows), "")
		}
		if ms, ok := u.StageMeansMS["zapgate_bot_send_duration_seconds"]; ok && phase != "inbound" {
			add(phase, "bot time per send (mean)", fmt.Sprintf("%.1f ms", ms), "")
		}
	}
	if c := r.Ceiling; c != nil {
		add("ceiling", "pgbench tps (message + outbox insert)", f0(c.TPS), "100%")
	}
	if s := r.Send; s != nil {
		add("send", fmt.Sprintf("accepted/s (%d clients, %d instances)", s.Clients, s.Instances), f0(s.AcceptedPerSec), ratio(s.AcceptedPerSec))
		if s.SentPerSec > 0 {
			add("send", "sent/s", f0(s.SentPerSec), ratio(s.SentPerSec))
		}
		add("send", "errors (non-202)", strconv.FormatInt(s.Errors, 10), "")
		if q := s.AcceptMS; q != nil {
			add("send", "time to 202 p50 / p99", ms(q.P50)+" / "+ms(q.P99), "")
		}
		if q := s.QueuedToSentMS; q != nil {
			add("send", "accepted → sent p50 / p99 (saturated)", ms(q.P50)+" / "+ms(q.P99), "")
		}
		if s.PeakRSSMiB > 0 {
			add("send", "peak RSS", fmt.Sprintf("%.0f MiB", s.PeakRSSMiB), "")
		}
		addUsage("send", s.Usage, "message")
	}
	if l := r.Latency; l != nil {
		if q := l.SingleMS; q != nil {
			add("latency", fmt.Sprintf("single message, median of %d", q.N), ms(q.P50), "")
		}
		if q := l.PacedMS; q != nil {
			add("latency", fmt.Sprintf("accepted → sent at %.0f/s over %d instances, p50", l.OfferedPerSec, l.RateInstances), ms(q.P50), "")
			add("latency", "  p95", ms(q.P95), "")
			add("latency", "  p99", ms(q.P99), "")
			add("latency", "  max", ms(q.Max), "")
		}
		addUsage("latency", l.Usage, "message")
	}
	if in := r.Inbound; in != nil {
		add("inbound", fmt.Sprintf("accepted/s (%d clients)", in.Clients), f0(in.AcceptedPerSec), "")
		if in.DeliveriesPerSec > 0 {
			add("inbound", "webhook deliveries/s", f0(in.DeliveriesPerSec), ratio(in.DeliveriesPerSec))
		}
		if q := in.OccurredToArrival; q != nil {
			add("inbound", fmt.Sprintf("occurred_at → webhook at %.0f/s p50", in.PacedOfferedPerSec), ms(q.P50), "")
			add("inbound", "  p99", ms(q.P99), "")
		}
		if q := in.RequestToArrival; q != nil {
			add("inbound", "inbound POST → webhook p50 / p99", ms(q.P50)+" / "+ms(q.P99), "")
		}
		addUsage("inbound", in.Usage, "message")
		if u := in.Usage; u != nil {
			if m, ok := u.StageMeansMS["zapgate_webhook_attempt_duration_seconds"]; ok {
				add("inbound", "webhook attempt (mean)", fmt.Sprintf("%.1f ms", m), "")
			}
		}
	}
	if s := r.Scale; s != nil {
		add("scale", fmt.Sprintf("%d instances linked, all connected", s.Created), fmt.Sprintf("%.1f s", s.ConnectedSeconds), "")
		if s.PerInstanceKiB != 0 {
			add("scale", "RSS per instance", fmt.Sprintf("%.0f KiB", s.PerInstanceKiB), "")
			add("scale", "RSS before → after", fmt.Sprintf("%.0f → %.0f MiB", s.RSSBeforeMiB, s.RSSAfterMiB), "")
		}
		if s.Errors > 0 {
			add("scale", "errors", strconv.FormatInt(s.Errors, 10), "")
		}
		addUsage("scale", s.Usage, "instance")
	}
	if s := r.Sustain; s != nil {
		add("sustain", fmt.Sprintf("offered %d/s for %.0f s over %d instances", s.Rate, s.Seconds, s.Instances),
			fmt.Sprintf("%d accepted, %d errors", s.Accepted, s.Errors), "")
		add("sustain", "outbox lag, 1st half → 2nd half (max)", fmt.Sprintf("%.2f s → %.2f s (%.2f s)", s.LagFirstHalfS, s.LagSecondHalfS, s.LagMaxS), "")
		add("sustain", "queued backlog, 1st half → 2nd half (max)", fmt.Sprintf("%.0f → %.0f (%d)", s.BacklogFirstHalf, s.BacklogSecondHalf, s.BacklogMax), "")
		add("sustain", "drained after the offer ended", fmt.Sprintf("%.1f s", s.DrainAfterSeconds), "")
	}
	return rows
}

func printTable(w io.Writer, r *results) {
	m := r.Machine
	fmt.Fprintf(w, "\nzapbench  %s  %d CPUs  %.1f GiB  %s  Postgres %s\n\n", m.Date, m.CPUs, m.MemoryGiB, m.GoVersion, m.Postgres)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "PHASE\tMETRIC\tVALUE\tOF PGBENCH TPS")
	for _, row := range r.rows() {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", row.phase, row.metric, row.value, row.ratio)
	}
	_ = tw.Flush()
	for _, e := range r.Errors {
		fmt.Fprintln(w, "error:", e)
	}
	fmt.Fprintln(w)
}

func writeJSON(path string, r *results) error {
	c := r.Config
	r.Settings = map[string]any{
		"quick": c.Quick, "phases": c.Phases, "timeout": c.Timeout.String(),
		"ceiling_clients": c.CeilingClients, "ceiling_duration": c.CeilingDuration.String(),
		"instances": c.Instances, "messages": c.Messages, "clients": c.Clients,
		"singles": c.Singles, "rate": c.Rate, "rate_instances": c.RateInstances, "duration": c.Duration.String(),
		"inbound": c.Inbound, "inbound_clients": c.InboundClients, "inbound_rate": c.InboundRate,
		"inbound_duration": c.InboundDuration.String(),
		"scale_instances":  c.ScaleInstances, "scale_workers": c.ScaleWorkers,
		"sustain_rate": c.SustainRate, "sustain_duration": c.SustainDuration.String(),
	}
	if r.Ceiling != nil && r.Ceiling.TPS > 0 {
		r.Ratios = map[string]any{}
		tps := r.Ceiling.TPS
		if r.Send != nil && r.Send.SentPerSec > 0 {
			r.Ratios["accepted_per_sec"] = math.Round(r.Send.AcceptedPerSec/tps*1000) / 1000
			r.Ratios["sent_per_sec"] = math.Round(r.Send.SentPerSec/tps*1000) / 1000
		}
		if r.Inbound != nil && r.Inbound.DeliveriesPerSec > 0 {
			r.Ratios["deliveries_per_sec"] = math.Round(r.Inbound.DeliveriesPerSec/tps*1000) / 1000
		}
	}
	b, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(b, '\n'), 0o644)
}
