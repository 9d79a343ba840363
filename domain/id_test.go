package domain

import (
	"strings"
	"testing"
	"time"
)

func TestNewIDIsTimeOrderedUUIDv7(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	a, b := NewID(t0), NewID(t0.Add(time.Millisecond))
	if !ValidID(a) || !ValidID(b) {
		t.Fatalf("invalid ids %q %q", a, b)
	}
	if a[14] != '7' {
		t.Errorf("version nibble = %c, want 7", a[14])
	}
	if !(a < b) {
		t.Errorf("ids not time ordered: %s !< %s", a, b)
	}
}

func TestValidID(t *testing.T) {
	tests := map[string]bool{
		"0190f1b2-3c4d-7e5f-8a9b-0c1d2e3f4a5b": true,
		"0190F1B2-3C4D-7E5F-8A9B-0C1D2E3F4A5B": true,
		"0190f1b2-3c4d-7e5f-8a9b-0c1d2e3f4a5":  false,
		"0190f1b2x3c4d-7e5f-8a9b-0c1d2e3f4a5b": false,
		"0190f1b2-3c4d-7e5f-8a9b-0c1d2e3f4a5g": false,
		"":                                     false,
		"../etc/passwd":                        false,
	}
	for in, want := range tests {
		if got := ValidID(in); got != want {
			t.Errorf("ValidID(%q) = %v, want %v", in, got, want)
		}
	}
}

func TestNewWAMessageID(t *testing.T) {
	id := NewWAMessageID()
	if !strings.HasPrefix(id, "3EB0") || len(id) != 22 || strings.ToUpper(id) != id {
		t.Errorf("unexpected wa message id %q", id)
	}
	if NewWAMessageID() == id {
		t.Error("ids repeat")
	}
}
