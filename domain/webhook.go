package domain

import (
	"crypto/rand"
	"encoding/base64"
	mrand "math/rand/v2"
	"net/url"
	"strings"
	"time"
)

// Webhook is a subscription of a URL to an instance's events.
type Webhook struct {
	ID         string
	InstanceID string
	URL        string
	Events     []string // empty: every event
	Secret     string   // whsec_ + base64 of 32 random bytes
	CreatedAt  time.Time
}

// WebhookEventTypes are the events a webhook may ask for.
var WebhookEventTypes = []string{
	"message.received", "message.status", "instance.status", "instance.qr",
	"instance.health",
	"attendance.opened", "attendance.message", "attendance.closed", "feedback.received",
	"attendance.assigned", "attendance.transferred",
	"attendance.note", "attendance.reopened", "attendance.sla_breached",
	"group.joined", "group.left", "group.updated", "group.participants",
	"poll.vote", "message.reaction", "message.edited", "message.revoked",
}

// NewWebhook validates a subscription and gives it a fresh secret.
func NewWebhook(instanceID, rawURL string, eventTypes []string, now time.Time) (*Webhook, error) {
	fields := map[string]string{}
	u, err := url.Parse(rawURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || len(rawURL) > 2048 || u.User != nil {
		fields["url"] = "must be an http or https URL without credentials, at most 2048 characters"
	}
	checkTexts(fields, "url", rawURL)
	seen := map[string]bool{}
	evs := []string{}
	for _, e := range eventTypes {
		if !knownEventType(e) {
			fields["events"] = "unknown event " + e + "; known: " + strings.Join(WebhookEventTypes, ", ")
			break
		}
		if !seen[e] {
			seen[e] = true
			evs = append(evs, e)
		}
	}
	if len(fields) > 0 {
		return nil, Invalid(fields)
	}
	var key [32]byte
	_, _ = rand.Read(key[:])
	return &Webhook{ID: NewID(now), InstanceID: instanceID, URL: rawURL, Events: evs,
		Secret: "whsec_" + base64.StdEncoding.EncodeToString(key[:]), CreatedAt: now}, nil
}

func knownEventType(e string) bool {
	for _, k := range WebhookEventTypes {
		if k == e {
			return true
		}
	}
	return false
}

// Wants tells whether the subscription takes events of type t.
func (w *Webhook) Wants(t string) bool {
	if len(w.Events) == 0 {
		return true
	}
	for _, e := range w.Events {
		if e == t {
			return true
		}
	}
	return false
}

// Delivery states.
const (
	DeliveryPending   = "pending"
	DeliveryDelivered = "delivered"
	DeliveryFailed    = "failed"
)

// Delivery is one event on its way to one webhook.
type Delivery struct {
	ID             string
	WebhookID      string
	EventID        string
	EventType      string
	ReplayID       string
	Payload        []byte
	Status         string
	Attempts       int
	LastStatusCode int
	LastError      string
	NextAttemptAt  time.Time
	CreatedAt      time.Time
	UpdatedAt      time.Time
}

// retrySchedule is the wait after each failed attempt: quick at first to
// ride out blips, then stretching so a receiver down for a day still gets
// everything (the waits add up to more than 24 hours).
var retrySchedule = []time.Duration{
	time.Second, 5 * time.Second, 30 * time.Second, 2 * time.Minute, 10 * time.Minute, 30 * time.Minute,
	time.Hour, 2 * time.Hour, 4 * time.Hour, 8 * time.Hour, 8 * time.Hour, 8 * time.Hour,
}

// MaxDeliveryAttempts is the first attempt plus one per scheduled retry.
var MaxDeliveryAttempts = len(retrySchedule) + 1

// RetryDelay is the wait after the given failed attempt (1-based), jittered
// by ±20% so retries of many deliveries do not arrive together; ok is false
// when no attempt is left.
func RetryDelay(attempt int) (time.Duration, bool) {
	if attempt < 1 || attempt > len(retrySchedule) {
		return 0, false
	}
	d := retrySchedule[attempt-1]
	return time.Duration(float64(d) * (0.8 + 0.4*mrand.Float64())), true
}

// RecordAttempt applies the outcome of an attempt: delivered on a 2xx,
// otherwise the next attempt is scheduled, or the delivery fails for good.
func (d *Delivery) RecordAttempt(statusCode int, errText string, now time.Time) {
	d.Attempts++
	d.LastStatusCode, d.LastError, d.UpdatedAt = statusCode, errText, now
	if statusCode >= 200 && statusCode < 300 {
		d.Status, d.LastError = DeliveryDelivered, ""
		return
	}
	if wait, ok := RetryDelay(d.Attempts); ok {
		d.Status, d.NextAttemptAt = DeliveryPending, now.Add(wait)
		return
	}
	d.Status = DeliveryFailed
}
