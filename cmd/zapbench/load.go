package main

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"time"
)

// parallel calls f(i) for every i in [0, n) on workers goroutines, and
// stops handing out work when ctx ends. It returns when every call has
// returned.
func parallel(ctx context.Context, n, workers int, f func(ctx context.Context, i int)) {
	var next atomic.Int64
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				i := int(next.Add(1) - 1)
				if i >= n {
					return
				}
				f(ctx, i)
			}
		}()
	}
	wg.Wait()
}

// paced calls f(i) for every i in [0, n) on a pool of workers, the i-th
// call due at start + i/rate. A pacer behind schedule (all workers busy)
// hands out work at once, so the offered rate falls only when zapgate
// cannot keep up; the returned duration is how long handing out took, to
// report the rate actually offered. It returns when every call has returned.
func paced(ctx context.Context, n, rate, workers int, f func(ctx context.Context, i int)) time.Duration {
	jobs := make(chan int, rate) // up to a second of backlog
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				if ctx.Err() != nil {
					continue // drain
				}
				f(ctx, i)
			}
		}()
	}
	start := time.Now()
	interval := time.Second / time.Duration(rate)
	var issued time.Duration
pace:
	for i := 0; i < n; i++ {
		if wait := time.Until(start.Add(time.Duration(i) * interval)); wait > 0 {
			if !sleepCtx(ctx, wait) {
				break
			}
		}
		select {
		case jobs <- i:
		case <-ctx.Done():
			break pace
		}
	}
	issued = time.Since(start)
	close(jobs)
	wg.Wait()
	return issued
}

// tally counts answers: the expected ones and the rest, with a few samples
// of what went wrong.
type tally struct {
	ok, errors atomic.Int64
	mu         sync.Mutex
	samples    []string
}

func (t *tally) add(status int, err error, body []byte, want ...int) bool {
	for _, w := range want {
		if err == nil && status == w {
			t.ok.Add(1)
			return true
		}
	}
	t.errors.Add(1)
	t.mu.Lock()
	defer t.mu.Unlock()
	if len(t.samples) < 5 {
		if err != nil {
			t.samples = append(t.samples, err.Error())
		} else {
			if len(body) > 200 {
				body = body[:200]
			}
			t.samples = append(t.samples, fmt.Sprintf("%d %s", status, body))
		}
	}
	return false
}

func (t *tally) errorSamples() []string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return append([]string(nil), t.samples...)
}

// durations collects client-side timings from many goroutines.
type durations struct {
	mu sync.Mutex
	ms []float64
}

func (d *durations) add(x time.Duration) {
	d.mu.Lock()
	d.ms = append(d.ms, float64(x)/float64(time.Millisecond))
	d.mu.Unlock()
}

func (d *durations) quantiles() *quantiles {
	d.mu.Lock()
	defer d.mu.Unlock()
	return quantilesOf(d.ms)
}
