// Package metrics defines zapgate's Prometheus metrics on a registry that
// the process owns (no global registry).
package metrics

import (
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
)

// Metrics are the instruments every role records into.
type Metrics struct {
	Registry *prometheus.Registry

	HTTPRequests     *prometheus.CounterVec
	HTTPDuration     *prometheus.HistogramVec
	MessagesAccepted *prometheus.CounterVec
	MessagesSent     prometheus.Counter
	MessagesFailed   prometheus.Counter
	SendDuration     prometheus.Histogram
	SendLatency      prometheus.Histogram
	OutboxLag        prometheus.Gauge
	OutboxPending    prometheus.Gauge
	WebhookDuration  prometheus.Histogram
	WebhookLatency   prometheus.Histogram
	WebhookAttempts  *prometheus.CounterVec
	WhatsAppAlarms   *prometheus.CounterVec
	ForwardDuration  *prometheus.HistogramVec
}

// New registers the metrics, with Go and process collectors.
func New() *Metrics {
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	m := &Metrics{
		Registry: reg,
		HTTPRequests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "zapgate_http_requests_total", Help: "HTTP requests by route and status code.",
		}, []string{"method", "route", "code"}),
		HTTPDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "zapgate_http_request_duration_seconds", Help: "HTTP request handling time by route.",
			Buckets: prometheus.ExponentialBuckets(0.0005, 2.5, 12),
		}, []string{"method", "route"}),
		MessagesAccepted: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "zapgate_messages_accepted_total", Help: "Outgoing messages accepted, by type.",
		}, []string{"type"}),
		MessagesSent: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "zapgate_messages_sent_total", Help: "Outgoing messages WhatsApp accepted.",
		}),
		MessagesFailed: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "zapgate_messages_failed_total", Help: "Outgoing messages that failed permanently.",
		}),
		SendDuration: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "zapgate_bot_send_duration_seconds", Help: "Time the bot spends on one send command.",
			Buckets: prometheus.ExponentialBuckets(0.0005, 2.5, 12),
		}),
		SendLatency: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "zapgate_send_latency_seconds", Help: "From command written to the outbox to message sent.",
			Buckets: prometheus.ExponentialBuckets(0.001, 2.5, 12),
		}),
		OutboxLag: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "zapgate_outbox_lag_seconds", Help: "Age of the oldest outbox row not yet forwarded.",
		}),
		OutboxPending: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "zapgate_outbox_pending", Help: "Outbox rows not yet forwarded.",
		}),
		WebhookDuration: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "zapgate_webhook_attempt_duration_seconds", Help: "Time one webhook attempt takes.",
			Buckets: prometheus.ExponentialBuckets(0.001, 2.5, 12),
		}),
		WebhookLatency: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "zapgate_webhook_delivery_latency_seconds", Help: "From delivery created to delivered.",
			Buckets: prometheus.ExponentialBuckets(0.001, 2.5, 14),
		}),
		WebhookAttempts: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "zapgate_webhook_attempts_total", Help: "Webhook attempts by resulting delivery status.",
		}, []string{"status"}),
	}
	m.WhatsAppAlarms = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "zapgate_whatsapp_alarms_total", Help: "WhatsApp conditions that need a person: temporary bans, an outdated client.",
	}, []string{"kind"})
	m.ForwardDuration = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name: "zapgate_forward_duration_seconds", Help: "Time to hand one outbox row to RabbitMQ, by outbox (confirms are awaited per batch).",
		Buckets: prometheus.ExponentialBuckets(0.00005, 2.5, 12),
	}, []string{"outbox"})
	reg.MustRegister(m.WebhookDuration, m.WebhookLatency, m.WebhookAttempts, m.WhatsAppAlarms, m.ForwardDuration)
	reg.MustRegister(m.HTTPRequests, m.HTTPDuration, m.MessagesAccepted, m.MessagesSent, m.MessagesFailed,
		m.SendDuration, m.SendLatency, m.OutboxLag, m.OutboxPending)
	return m
}
