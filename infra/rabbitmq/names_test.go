package rabbitmq

import (
	"strings"
	"testing"
)

func TestNames(t *testing.T) {
	const id = "0193b3c4-7f00-7000-8000-000000000001"
	tests := []struct {
		ns                                                 string
		commands, events, poison, instance, group, pattern string
	}{
		// The legacy names, unchanged, for databases served before namespaces.
		{"", "zapgate.commands", "zapgate.events", "zapgate.poison", "zapgate.instance." + id, "zapgate.events.webhooks", "instance." + id + ".#"},
		{"prod", "zapgate.prod.commands", "zapgate.prod.events", "zapgate.prod.poison", "zapgate.prod.instance." + id, "zapgate.prod.events.webhooks", "instance." + id + ".#"},
		{"zapgate_test_0a1b-9f8e7d6c", "zapgate.zapgate_test_0a1b-9f8e7d6c.commands", "zapgate.zapgate_test_0a1b-9f8e7d6c.events",
			"zapgate.zapgate_test_0a1b-9f8e7d6c.poison", "zapgate.zapgate_test_0a1b-9f8e7d6c.instance." + id,
			"zapgate.zapgate_test_0a1b-9f8e7d6c.events.webhooks", "instance." + id + ".#"},
	}
	for _, tt := range tests {
		t.Run(tt.ns, func(t *testing.T) {
			n, err := NewNames(tt.ns)
			if err != nil {
				t.Fatal(err)
			}
			got := []string{n.CommandsExchange(), n.EventsExchange(), n.PoisonExchange(), n.PoisonQueue(), n.InstanceQueue(id), n.EventsQueue("webhooks"),
				// Watermill hands the queue name, not the topic, to the binding.
				n.instanceRoutingPattern(n.InstanceQueue(id))}
			want := []string{tt.commands, tt.events, tt.poison, tt.poison, tt.instance, tt.group, tt.pattern}
			for i := range want {
				if got[i] != want[i] {
					t.Errorf("name %d = %q, want %q", i, got[i], want[i])
				}
			}
			if ex, key := n.route("instance." + id + ".send_message"); ex != tt.commands || key != "instance."+id+".send_message" {
				t.Errorf("command routed to %q %q", ex, key)
			}
			if ex, key := n.route("events"); ex != tt.events || key != "" {
				t.Errorf("event routed to %q %q", ex, key)
			}
		})
	}
}

func TestNewNamesRefuses(t *testing.T) {
	for _, ns := range []string{"prod.eu", "prod#", "a*", "Prod", "has space", "café", strings.Repeat("a", 33)} {
		if _, err := NewNames(ns); err == nil {
			t.Errorf("NewNames(%q) accepted", ns)
		}
	}
}
