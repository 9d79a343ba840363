package outbox_test

import (
	"bytes"
	"database/sql"
	"encoding/json"
	"log/slog"
	"testing"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/ThreeDotsLabs/watermill/message"

	"github.com/zapgate/zapgate/infra/outbox"
)

// nopPublisher stands in for RabbitMQ: building a forwarder publishes nothing.
type nopPublisher struct{}

func (nopPublisher) Publish(string, ...*message.Message) error { return nil }
func (nopPublisher) Close() error                              { return nil }

// TestForwarderLogsItsOwnName: each outbox's forwarder registers under its
// own handler name, so the command forwarder's log lines are not taken for
// the event forwarder's.
func TestForwarderLogsItsOwnName(t *testing.T) {
	t.Parallel()
	// sql.Open does not connect; building a forwarder does not query.
	db, err := sql.Open("postgres", "postgres://nobody@127.0.0.1:1/none?sslmode=disable")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	tests := []struct {
		topic string
		want  string
	}{
		{outbox.Topic, "events_forwarder"},
		{outbox.CommandsTopic, "commands_forwarder"},
	}
	for _, tt := range tests {
		t.Run(tt.topic, func(t *testing.T) {
			var buf bytes.Buffer
			wlog := watermill.NewSlogLogger(slog.New(slog.NewJSONHandler(&buf, nil)))
			if _, err := outbox.NewForwarder(db, tt.topic, nopPublisher{}, outbox.Polling{}, nil, wlog); err != nil {
				t.Fatal(err)
			}
			var names []string
			for _, line := range bytes.Split(bytes.TrimSpace(buf.Bytes()), []byte("\n")) {
				var rec map[string]any
				if err := json.Unmarshal(line, &rec); err != nil {
					t.Fatalf("log line %q: %v", line, err)
				}
				if n, ok := rec["handler_name"].(string); ok && rec["topic"] == tt.topic {
					names = append(names, n)
				}
			}
			if len(names) != 1 || names[0] != tt.want {
				t.Fatalf("handler names logged for %s = %q, want [%q]", tt.topic, names, tt.want)
			}
		})
	}
}
