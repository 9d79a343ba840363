package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// inboundResult is the inbound phase: messages "from a phone" through the
// sim, delivered to a local webhook receiver.
type inboundResult struct {
	Messages           int        `json:"messages"`
	Clients            int        `json:"clients"`
	Accepted           int64      `json:"accepted"`
	Errors             int64      `json:"errors"`
	ErrorSamples       []string   `json:"error_samples,omitempty"`
	AcceptedPerSec     float64    `json:"accepted_per_sec"`
	DeliverySeconds    float64    `json:"delivery_seconds"`
	DeliveriesPerSec   float64    `json:"deliveries_per_sec"`
	Duplicates         int        `json:"duplicates"`
	Rate               int        `json:"rate"`
	Seconds            float64    `json:"seconds"`
	PacedMessages      int        `json:"paced_messages"`
	PacedOfferedPerSec float64    `json:"paced_offered_per_sec"`
	PacedErrors        int64      `json:"paced_errors"`
	OccurredToArrival  *quantiles `json:"occurred_to_arrival_ms"` // arrival − the event's occurred_at
	RequestToArrival   *quantiles `json:"request_to_arrival_ms"`  // arrival − the inbound POST's start
	Usage              *usage     `json:"usage,omitempty"`        // of the saturation part
}

// arrival is one webhook delivery seen by the receiver.
type arrival struct {
	at       time.Time
	occurred time.Time
	text     string
}

// receiver records webhook deliveries, one per event id.
type receiver struct {
	mu       sync.Mutex
	seen     map[string]bool
	arrivals []arrival
	dups     int
	bad      int
}

func newReceiver() *receiver { return &receiver{seen: map[string]bool{}} }

func (rc *receiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	at := time.Now()
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	var ev struct {
		ID         string    `json:"id"`
		Type       string    `json:"type"`
		OccurredAt time.Time `json:"occurred_at"`
		Data       struct {
			Text string `json:"text"`
		} `json:"data"`
	}
	if err == nil {
		err = json.Unmarshal(body, &ev)
	}
	rc.mu.Lock()
	switch {
	case err != nil || ev.ID == "":
		rc.bad++
	case rc.seen[ev.ID]:
		rc.dups++
	default:
		rc.seen[ev.ID] = true
		if ev.Type == "message.received" {
			rc.arrivals = append(rc.arrivals, arrival{at: at, occurred: ev.OccurredAt, text: ev.Data.Text})
		}
	}
	rc.mu.Unlock()
	w.WriteHeader(http.StatusNoContent)
}

// take returns what arrived so far and starts afresh.
func (rc *receiver) take() ([]arrival, int) {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	a, d := rc.arrivals, rc.dups
	rc.arrivals, rc.dups = nil, 0
	return a, d
}

func (rc *receiver) count() int {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return len(rc.arrivals)
}

func runInbound(ctx context.Context, cfg *config, e *env) (*inboundResult, error) {
	r := &inboundResult{Messages: cfg.Inbound, Clients: cfg.InboundClients, Rate: cfg.InboundRate, Seconds: cfg.InboundDuration.Seconds()}
	rc := newReceiver()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	srv := &http.Server{Handler: rc, ReadHeaderTimeout: 10 * time.Second}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	defer func() {
		sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(sctx)
		<-served
	}()
	hookURL := "http://" + ln.Addr().String() + "/hook"
	logf("inbound: webhook receiver on %s", hookURL)

	id, err := e.linkInstance(ctx, "bench-inbound")
	if err != nil {
		return nil, err
	}
	if err := e.api.call(ctx, http.MethodPost, "/v1/instances/"+id+"/webhooks",
		map[string]any{"url": hookURL, "events": []string{"message.received"}}, http.StatusCreated, nil); err != nil {
		return nil, err
	}
	path := "/v1/sim/instances/" + id + "/inbound"
	inbound := func(ctx context.Context, c *apiClient, t *tally, text string) bool {
		body := []byte(`{"from":"5511988887777","text":` + strconv.Quote(text) + `}`)
		st, b, err := c.raw(ctx, http.MethodPost, path, body)
		return t.add(st, err, b, http.StatusCreated, http.StatusOK)
	}

	// Saturation.
	client := e.api.withConns(cfg.InboundClients)
	defer client.close()
	var t tally
	stop := progress(ctx, 2*time.Second, func() string {
		return fmt.Sprintf("inbound: %d/%d accepted, %d errors, %d delivered", t.ok.Load(), cfg.Inbound, t.errors.Load(), rc.count())
	})
	defer stop()
	logf("inbound: %d messages from %d clients", cfg.Inbound, cfg.InboundClients)
	pr := startProbe(ctx, e)
	start := time.Now()
	parallel(ctx, cfg.Inbound, cfg.InboundClients, func(ctx context.Context, i int) {
		inbound(ctx, client, &t, "in "+strconv.Itoa(i))
	})
	acceptDur := time.Since(start)
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	r.Accepted, r.Errors, r.ErrorSamples = t.ok.Load(), t.errors.Load(), t.errorSamples()
	r.AcceptedPerSec = float64(r.Accepted) / acceptDur.Seconds()
	logf("inbound: %d accepted in %s (%.0f/s), %d errors", r.Accepted, acceptDur.Round(time.Millisecond), r.AcceptedPerSec, r.Errors)
	err = waitArrivals(ctx, cfg, e, rc, int(r.Accepted))
	r.Usage = pr.stop(ctx, r.Accepted)
	if err != nil {
		return r, err
	}
	arr, dups := rc.take()
	r.Duplicates = dups
	last := start
	for _, a := range arr {
		if a.at.After(last) {
			last = a.at
		}
	}
	r.DeliverySeconds = last.Sub(start).Seconds()
	r.DeliveriesPerSec = float64(len(arr)) / last.Sub(start).Seconds()
	logf("inbound: %d delivered in %s (%.0f/s)", len(arr), last.Sub(start).Round(time.Millisecond), r.DeliveriesPerSec)
	stop()

	// Latency at a steady pace.
	settle(ctx, cfg)
	n := int(float64(cfg.InboundRate) * cfg.InboundDuration.Seconds())
	r.PacedMessages = n
	var pt tally
	var mu sync.Mutex
	sentAt := make(map[string]time.Time, n)
	stop = progress(ctx, 2*time.Second, func() string {
		return fmt.Sprintf("inbound: paced %d/%d accepted, %d delivered", pt.ok.Load(), n, rc.count())
	})
	defer stop()
	logf("inbound: %d messages/s for %s (%d messages)", cfg.InboundRate, cfg.InboundDuration, n)
	issued := paced(ctx, n, cfg.InboundRate, 32, func(ctx context.Context, i int) {
		text := "lat " + strconv.Itoa(i)
		t0 := time.Now()
		mu.Lock()
		sentAt[text] = t0
		mu.Unlock()
		inbound(ctx, client, &pt, text)
	})
	if err := ctx.Err(); err != nil {
		return r, err
	}
	r.PacedOfferedPerSec = float64(n) / issued.Seconds()
	r.PacedErrors = pt.errors.Load()
	if err := waitArrivals(ctx, cfg, e, rc, int(pt.ok.Load())); err != nil {
		return r, err
	}
	stop()
	arr, _ = rc.take()
	var occ, req []float64
	for _, a := range arr {
		if !a.occurred.IsZero() {
			occ = append(occ, float64(a.at.Sub(a.occurred))/float64(time.Millisecond))
		}
		if t0, ok := sentAt[a.text]; ok {
			req = append(req, float64(a.at.Sub(t0))/float64(time.Millisecond))
		}
	}
	r.OccurredToArrival = quantilesOf(occ)
	r.RequestToArrival = quantilesOf(req)
	if r.OccurredToArrival != nil {
		logf("inbound: %.0f/s offered: occurred_at → arrival p50 %.1f ms, p99 %.1f ms",
			r.PacedOfferedPerSec, r.OccurredToArrival.P50, r.OccurredToArrival.P99)
	}
	return r, nil
}

// waitArrivals waits until want message.received deliveries arrived.
func waitArrivals(ctx context.Context, cfg *config, e *env, rc *receiver, want int) error {
	err := waitFor(ctx, cfg.Timeout, 50*time.Millisecond, "every webhook delivery", func(context.Context) (bool, error) {
		return rc.count() >= want, e.alive()
	})
	if err != nil && !errors.Is(err, context.Canceled) {
		return fmt.Errorf("%w: %d of %d arrived", err, rc.count(), want)
	}
	return err
}
