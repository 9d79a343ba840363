package postgres

import (
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"net"
	"syscall"
	"testing"

	"github.com/lib/pq"

	"github.com/zapgate/zapgate/domain"
)

// TestTranslate: the store, not the HTTP layer, decides that a database
// error means "out of reach", so handlers map kinds only.
func TestTranslate(t *testing.T) {
	refused := &net.OpError{Op: "dial", Net: "tcp", Err: syscall.ECONNREFUSED}
	tests := []struct {
		name        string
		err         error
		unavailable bool
	}{
		{"connection gone", fmt.Errorf("get instance: %w", driver.ErrBadConn), true},
		{"connection refused", refused, true},
		{"connection reset", fmt.Errorf("read: %w", syscall.ECONNRESET), true},
		{"server closed the stream", io.ErrUnexpectedEOF, true},
		{"connection exception", &pq.Error{Code: "08006"}, true},
		{"admin shutdown", &pq.Error{Code: "57P01"}, true},
		{"unique violation", &pq.Error{Code: "23505"}, false},
		{"a bug", errors.New("boom"), false},
		{"nil", nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := translate(tt.err)
			if isUnavailable := domain.KindOf(got) == domain.KindUnavailable; isUnavailable != tt.unavailable {
				t.Fatalf("translate(%v) = %v, unavailable %v, want %v", tt.err, got, isUnavailable, tt.unavailable)
			}
			if !errors.Is(got, tt.err) {
				t.Fatalf("translate(%v) = %v, lost the cause", tt.err, got)
			}
			var de *domain.Error
			if tt.unavailable && (!errors.As(got, &de) || de.Message[:len("database")] != "database") {
				t.Fatalf("translate(%v) = %v, want it to name the database", tt.err, got)
			}
		})
	}
}

// TestOpenTranslatesLostConnections: a query on a database that is not
// there comes back as domain.Unavailable naming the database.
func TestOpenTranslatesLostConnections(t *testing.T) {
	c, err := newConnector("postgres://postgres@127.0.0.1:1/none?sslmode=disable&connect_timeout=2")
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Connect(t.Context())
	if domain.KindOf(err) != domain.KindUnavailable {
		t.Fatalf("connect to a closed port: %v, want unavailable", err)
	}
}
