package api

import (
	"database/sql/driver"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http/httptest"
	"strings"
	"syscall"
	"testing"

	"github.com/gofiber/fiber/v2"

	"github.com/zapgate/zapgate/domain"
)

// TestDescribeUnavailable: a dependency out of reach is a 503 that names it;
// storage errors used to be blamed on "database or broker".
func TestDescribeUnavailable(t *testing.T) {
	refused := &net.OpError{Op: "dial", Net: "tcp", Err: syscall.ECONNREFUSED}
	tests := []struct {
		name     string
		err      error
		status   int
		code     string
		mentions string
	}{
		{"storage, wrapped by the use case", fmt.Errorf("store media: %w", fmt.Errorf("s3 put k: %w", domain.Unavailable("storage", refused))),
			503, "unavailable", "storage"},
		{"database connection gone", fmt.Errorf("get instance: %w", domain.Unavailable("database", driver.ErrBadConn)), 503, "unavailable", "database"},
		{"broker connection refused", fmt.Errorf("publish: %w", domain.Unavailable("broker", refused)), 503, "unavailable", "broker"},
		{"idempotency key reused", domain.ErrIdempotencyKeyReused, 422, "idempotency_key_reused", "Idempotency-Key"},
		{"a bug", errors.New("boom"), 500, "internal", ""},
	}
	s := &Server{log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			app := fiber.New(fiber.Config{ErrorHandler: s.errorHandler})
			app.Get("/", func(*fiber.Ctx) error { return tt.err })
			resp, err := app.Test(httptest.NewRequest("GET", "/", nil))
			if err != nil {
				t.Fatal(err)
			}
			var body errorBody
			if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
				t.Fatal(err)
			}
			if resp.StatusCode != tt.status || body.Error.Code != tt.code || !strings.Contains(body.Error.Message, tt.mentions) {
				t.Fatalf("answer = %d %+v, want %d %s mentioning %q", resp.StatusCode, body.Error, tt.status, tt.code, tt.mentions)
			}
		})
	}
}
