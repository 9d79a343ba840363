package messaging

import (
	"context"
	"encoding/json"
	"log/slog"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"

	"github.com/zapgate/zapgate/app"
	"github.com/zapgate/zapgate/events"
)

// attendanceGroup is the attendance consumer's queue on the events fanout.
const attendanceGroup = "attendance"

// Attendance files customers' messages into attendances.
type Attendance struct {
	app *app.App
	sub EventSubscriber
	log *slog.Logger
}

// NewAttendance returns the attendance consumer.
func NewAttendance(a *app.App, sub EventSubscriber, log *slog.Logger) *Attendance {
	return &Attendance{app: a, sub: sub, log: log.With("role", "attendance")}
}

// Run consumes events until ctx ends.
func (h *Attendance) Run(ctx context.Context) error {
	msgs, err := h.sub.Subscribe(ctx, attendanceGroup)
	if err != nil {
		return err
	}
	// Whatever arrived together is filed in one transaction, in order;
	// filing again changes nothing twice.
	consumeBatches(ctx, msgs, h.log, "file messages into attendances", func(batch []*message.Message) error {
		var received []events.Message
		for _, msg := range batch {
			env, err := events.FromMessage(msg)
			if err != nil || env.Type != events.MessageReceived || env.Replayed {
				continue
			}
			var m events.Message
			if err := json.Unmarshal(env.Data, &m); err != nil {
				h.log.Error("undecodable message.received dropped", "event", env.ID, "err", err)
				continue
			}
			received = append(received, m)
		}
		return h.app.AttendIncoming(ctx, received...)
	})
	return nil
}

// Closer closes attendances idle for too long, in capped batches.
type Closer struct {
	app   *app.App
	idle  time.Duration
	sweep time.Duration
	log   *slog.Logger
}

// NewCloser returns a closer that runs every sweep.
func NewCloser(a *app.App, idle, sweep time.Duration, log *slog.Logger) *Closer {
	return &Closer{app: a, idle: idle, sweep: sweep, log: log.With("role", "attendance-closer")}
}

// closeBatch caps one transaction of the closer.
const closeBatch = 100

// Run sweeps until ctx ends.
func (c *Closer) Run(ctx context.Context) error {
	t := time.NewTicker(c.sweep)
	defer t.Stop()
	for {
		for {
			n, err := c.app.CloseIdleAttendances(ctx, c.idle, closeBatch)
			if err != nil {
				if ctx.Err() == nil {
					c.log.Warn("close idle attendances", "err", err)
				}
				break
			}
			if n > 0 {
				c.log.Info("idle attendances closed", "count", n)
			}
			if n < closeBatch {
				break
			}
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}
