package webhook

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/zapgate/zapgate/domain"
)

func TestFetch(t *testing.T) {
	release := make(chan struct{})
	defer close(release)
	mux := http.NewServeMux()
	mux.HandleFunc("/menu.png", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "image/png")
		_, _ = io.WriteString(w, "\x89PNG\r\n\x1a\nrest")
	})
	mux.HandleFunc("/big", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", "2000")
		_, _ = w.Write(make([]byte, 2000))
	})
	mux.HandleFunc("/endless", func(w http.ResponseWriter, r *http.Request) {
		// Chunked, no length: the fetcher must stop reading at the limit.
		for range 100 {
			if _, err := w.Write(make([]byte, 512)); err != nil {
				return
			}
			w.(http.Flusher).Flush()
		}
	})
	mux.HandleFunc("/slow", func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusOK)
		w.(http.Flusher).Flush()
		select {
		case <-release:
		case <-r.Context().Done():
		}
	})
	mux.HandleFunc("/missing", http.NotFound)
	mux.HandleFunc("/empty", func(w http.ResponseWriter, r *http.Request) {})
	mux.HandleFunc("/hop", func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, "/menu.png", http.StatusFound) })
	mux.HandleFunc("/loop", func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, "/loop", http.StatusFound) })
	srv := httptest.NewServer(mux)
	defer srv.Close()

	open := NewFetcher(false, 200*time.Millisecond)
	tests := []struct {
		name    string
		f       *Fetcher
		path    string
		body    string
		tooBig  bool
		problem string // in the message naming media.url
	}{
		{name: "ok", f: open, path: "/menu.png", body: "\x89PNG\r\n\x1a\nrest"},
		{name: "redirect", f: open, path: "/hop", body: "\x89PNG\r\n\x1a\nrest"},
		{name: "announced too large", f: open, path: "/big", tooBig: true},
		{name: "streamed too large", f: open, path: "/endless", tooBig: true},
		{name: "timeout", f: open, path: "/slow", problem: "within"},
		{name: "404", f: open, path: "/missing", problem: "HTTP 404"},
		{name: "empty", f: open, path: "/empty", problem: "empty"},
		{name: "redirect loop", f: open, path: "/loop", problem: "redirects"},
		{name: "private refused", f: NewFetcher(true, time.Second), path: "/menu.png", problem: "internal address"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body, ct, err := tt.f.Fetch(context.Background(), srv.URL+tt.path, 1024)
			switch {
			case tt.tooBig:
				if !errors.Is(err, domain.ErrMediaTooLarge) {
					t.Fatalf("err = %v, want media_too_large", err)
				}
			case tt.problem != "":
				var de *domain.Error
				if !errors.As(err, &de) || !strings.Contains(de.Fields["media.url"], tt.problem) {
					t.Fatalf("err = %v, want media.url: …%s…", err, tt.problem)
				}
			case err != nil:
				t.Fatal(err)
			case string(body) != tt.body || ct != "image/png":
				t.Fatalf("body %q, type %q", body, ct)
			}
		})
	}
}
