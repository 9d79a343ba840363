package messaging

import (
	"slices"
	"testing"
	"time"

	"github.com/zapgate/zapgate/domain"
)

func TestPlanReconcile(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	ten := 10
	inst := func(id string, st domain.InstanceStatus) domain.Instance {
		return domain.Instance{ID: id, Status: st}
	}
	const def = 20 // the default send rate
	twoDaysAgo := now.Add(-48 * time.Hour)
	tests := []struct {
		name      string
		instances []domain.Instance
		held      []string
		started   map[string]time.Time
		consumers map[string]bool // true: running; false: stopped by itself
		want      []botAction
	}{
		{
			name:      "a new instance is connected",
			instances: []domain.Instance{inst("a", domain.InstanceCreated)},
			held:      []string{"a"},
			want:      []botAction{{kind: actConnect, instanceID: "a"}},
		},
		{
			name:      "a linked instance not yet started is connected and consumed",
			instances: []domain.Instance{inst("a", domain.InstanceConnected)},
			held:      []string{"a"},
			want:      []botAction{{kind: actConnect, instanceID: "a"}, {kind: actStartConsumer, instanceID: "a", limits: domain.SendLimits{RatePerMinute: def}}},
		},
		{
			name:      "a connected instance's queue is consumed at the default rate",
			instances: []domain.Instance{inst("a", domain.InstanceConnected)},
			held:      []string{"a"},
			started:   map[string]time.Time{"a": now.Add(-time.Minute)},
			want:      []botAction{{kind: actStartConsumer, instanceID: "a", limits: domain.SendLimits{RatePerMinute: def}}},
		},
		{
			name:      "a running consumer follows the instance's own rate",
			instances: []domain.Instance{{ID: "a", Status: domain.InstanceConnected, SendRatePerMinute: &ten}},
			held:      []string{"a"},
			started:   map[string]time.Time{"a": now.Add(-time.Minute)},
			consumers: map[string]bool{"a": true},
			want:      []botAction{{kind: actSetRate, instanceID: "a", limits: domain.SendLimits{RatePerMinute: 10}}},
		},
		{
			name: "a phone linked two days into a 10-day warm-up gets 36% of its rate and cap",
			instances: []domain.Instance{{ID: "a", Status: domain.InstanceConnected, SendRatePerMinute: &ten,
				NewContactsPerDay: 50, WarmupDays: 10, LinkedAt: &twoDaysAgo}},
			held:      []string{"a"},
			started:   map[string]time.Time{"a": now.Add(-time.Minute)},
			consumers: map[string]bool{"a": true},
			want:      []botAction{{kind: actSetRate, instanceID: "a", limits: domain.SendLimits{RatePerMinute: 4, NewContactsPerDay: 18}}},
		},
		{
			name:      "a consumer that stopped by itself starts over",
			instances: []domain.Instance{inst("a", domain.InstanceConnected)},
			held:      []string{"a"},
			started:   map[string]time.Time{"a": now.Add(-time.Minute)},
			consumers: map[string]bool{"a": false},
			want:      []botAction{{kind: actForgetConsumer, instanceID: "a"}, {kind: actStartConsumer, instanceID: "a", limits: domain.SendLimits{RatePerMinute: def}}},
		},
		{
			name:      "a stopped consumer of a disconnected instance is only forgotten",
			instances: []domain.Instance{inst("a", domain.InstanceDisconnected)},
			held:      []string{"a"},
			started:   map[string]time.Time{"a": now.Add(-time.Minute)},
			consumers: map[string]bool{"a": false},
			want:      []botAction{{kind: actForgetConsumer, instanceID: "a"}},
		},
		{
			name:      "a disconnected instance's queue is no longer consumed",
			instances: []domain.Instance{inst("a", domain.InstanceDisconnected)},
			held:      []string{"a"},
			started:   map[string]time.Time{"a": now.Add(-time.Minute)},
			consumers: map[string]bool{"a": true},
			want:      []botAction{{kind: actSetRate, instanceID: "a", limits: domain.SendLimits{RatePerMinute: def}}, {kind: actStopConsumer, instanceID: "a"}},
		},
		{
			name:      "an instance another process holds now is handed over",
			instances: []domain.Instance{inst("a", domain.InstanceConnected)},
			started:   map[string]time.Time{"a": now.Add(-time.Minute)},
			consumers: map[string]bool{"a": true},
			want:      []botAction{{kind: actHandOver, instanceID: "a"}},
		},
		{
			name:      "a deleted instance is removed, even if its lease is still held",
			held:      []string{"a"},
			started:   map[string]time.Time{"a": now.Add(-time.Minute)},
			consumers: map[string]bool{"a": true},
			want:      []botAction{{kind: actRemove, instanceID: "a"}},
		},
		{
			name:      "a logged-out instance is not connected",
			instances: []domain.Instance{inst("a", domain.InstanceLoggedOut)},
			held:      []string{"a"},
		},
		{
			name:      "an instance waiting for its scan gets a new QR round after a while",
			instances: []domain.Instance{inst("a", domain.InstanceCreated)},
			held:      []string{"a"},
			started:   map[string]time.Time{"a": now.Add(-newQRRoundAfter - time.Millisecond)},
			want:      []botAction{{kind: actConnect, instanceID: "a"}},
		},
		{
			name:      "a QR round just started is left alone",
			instances: []domain.Instance{inst("a", domain.InstanceCreated)},
			held:      []string{"a"},
			started:   map[string]time.Time{"a": now.Add(-newQRRoundAfter)},
		},
		{
			name:      "instances not held and not started are left alone",
			instances: []domain.Instance{inst("a", domain.InstanceConnected), inst("b", domain.InstanceCreated)},
		},
		{
			name: "what is let go comes first, in id order; then instances in the order given",
			instances: []domain.Instance{
				inst("d", domain.InstanceConnected), inst("b", domain.InstanceConnected), inst("c", domain.InstanceCreated),
			},
			held:    []string{"c", "d"},
			started: map[string]time.Time{"a": now, "b": now, "d": now},
			want: []botAction{
				{kind: actRemove, instanceID: "a"},
				{kind: actHandOver, instanceID: "b"},
				{kind: actStartConsumer, instanceID: "d", limits: domain.SendLimits{RatePerMinute: def}},
				{kind: actConnect, instanceID: "c"},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := planReconcile(now, tt.instances, tt.held, def, botRunning{started: tt.started, consumers: tt.consumers})
			if !slices.Equal(got, tt.want) {
				t.Fatalf("plan = %+v\nwant   %+v", got, tt.want)
			}
		})
	}
}
