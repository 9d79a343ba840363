package metrics

import (
	"context"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/zapgate/zapgate/domain"
)

// InstanceCounts counts every instance of the deployment by link status
// and by health state.
type InstanceCounts func(ctx context.Context) (byStatus, byHealth map[string]int, err error)

// CountInstances adds the gauges zapgate_instances{status} and
// zapgate_instance_health{state}, read from Postgres at each scrape (one
// grouped count), so every replica reports the deployment's figures and
// nothing goes stale between scrapes.
func (m *Metrics) CountInstances(count InstanceCounts) {
	m.Registry.MustRegister(&instanceCollector{
		count:  count,
		status: prometheus.NewDesc("zapgate_instances", "Instances of the deployment by link status.", []string{"status"}, nil),
		health: prometheus.NewDesc("zapgate_instance_health", "Instances of the deployment by health (ok, paused, banned).", []string{"state"}, nil),
	})
}

type instanceCollector struct {
	count          InstanceCounts
	status, health *prometheus.Desc
}

func (c *instanceCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- c.status
	ch <- c.health
}

// Collect reports every known status and state, zero included, so a
// dashboard's series never vanish; a failed count reports nothing (the
// scrape still answers).
func (c *instanceCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	byStatus, byHealth, err := c.count(ctx)
	if err != nil {
		return
	}
	statuses := []domain.InstanceStatus{domain.InstanceCreated, domain.InstanceQR, domain.InstanceConnected,
		domain.InstanceDisconnected, domain.InstanceLoggedOut}
	for _, s := range statuses {
		ch <- prometheus.MustNewConstMetric(c.status, prometheus.GaugeValue, float64(byStatus[string(s)]), string(s))
	}
	for _, s := range []domain.HealthState{domain.HealthOK, domain.HealthPaused, domain.HealthBanned} {
		ch <- prometheus.MustNewConstMetric(c.health, prometheus.GaugeValue, float64(byHealth[string(s)]), string(s))
	}
}
