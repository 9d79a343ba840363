package domain

import (
	"encoding/base64"
	"strings"
	"testing"
	"time"
)

func TestNewWebhook(t *testing.T) {
	tests := []struct {
		name    string
		url     string
		events  []string
		wantErr string
	}{
		{"ok", "https://example.com/hook", []string{"message.received"}, ""},
		{"all events", "http://127.0.0.1:9000/x", nil, ""},
		{"ftp", "ftp://example.com", nil, "url"},
		{"no host", "https:///path", nil, "url"},
		{"credentials", "https://u:p@example.com", nil, "url"},
		{"unknown event", "https://example.com", []string{"message.deleted"}, "events"},
	}
	for _, tt := range tests {
		w, err := NewWebhook("i", tt.url, tt.events, now)
		if tt.wantErr != "" {
			de, _ := err.(*Error)
			if de == nil || de.Fields[tt.wantErr] == "" {
				t.Errorf("%s: err = %v, want field %s", tt.name, err, tt.wantErr)
			}
			continue
		}
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		key, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(w.Secret, "whsec_"))
		if !strings.HasPrefix(w.Secret, "whsec_") || err != nil || len(key) != 32 {
			t.Errorf("%s: secret %q", tt.name, w.Secret)
		}
	}
}

func TestRetryScheduleCoversADay(t *testing.T) {
	var total time.Duration
	for i := 1; ; i++ {
		d, ok := RetryDelay(i)
		if !ok {
			break
		}
		base := retrySchedule[i-1]
		if d < base*8/10 || d > base*12/10 {
			t.Fatalf("attempt %d waits %s, outside ±20%% of %s", i, d, base)
		}
		total += base
	}
	if total < 24*time.Hour {
		t.Fatalf("retries span only %s", total)
	}
}

func TestRecordAttempt(t *testing.T) {
	d := &Delivery{Status: DeliveryPending}
	d.RecordAttempt(500, "server error", now)
	if d.Status != DeliveryPending || d.Attempts != 1 || !d.NextAttemptAt.After(now) {
		t.Fatalf("after a 500: %+v", d)
	}
	d.RecordAttempt(204, "", now)
	if d.Status != DeliveryDelivered || d.Attempts != 2 || d.LastStatusCode != 204 {
		t.Fatalf("after a 204: %+v", d)
	}
	f := &Delivery{Status: DeliveryPending}
	for range MaxDeliveryAttempts {
		f.RecordAttempt(0, "connection refused", now)
	}
	if f.Status != DeliveryFailed || f.Attempts != MaxDeliveryAttempts {
		t.Fatalf("after every attempt failed: %+v", f)
	}
}
