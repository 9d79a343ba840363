package webhook

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"
)

const secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"

func TestSignatureVerifiesWithTheStandardLibrary(t *testing.T) {
	verifier, err := standardwebhooks.NewWebhook(secret)
	if err != nil {
		t.Fatal(err)
	}
	got := make(chan *http.Request, 1)
	bodies := make(chan []byte, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		got <- r
		bodies <- b
		w.WriteHeader(204)
	}))
	defer srv.Close()
	body := []byte(`{"id":"evt_1","type":"message.received","data":{}}`)
	code, err := NewSender(false, 0).Send(context.Background(), srv.URL, secret, "evt_1", body)
	if err != nil || code != 204 {
		t.Fatalf("send = %d, %v", code, err)
	}
	r, b := <-got, <-bodies
	if r.Header.Get("webhook-id") != "evt_1" {
		t.Fatalf("webhook-id = %q", r.Header.Get("webhook-id"))
	}
	if err := verifier.Verify(b, r.Header); err != nil {
		t.Fatalf("the Standard Webhooks verifier refuses our signature: %v", err)
	}
	tampered := append([]byte{}, b...)
	tampered[2] = 'X'
	if err := verifier.Verify(tampered, r.Header); err == nil {
		t.Fatal("a tampered body verified")
	}
}

func TestSignMatchesTheLibrary(t *testing.T) {
	wh, _ := standardwebhooks.NewWebhook(secret)
	ts := time.Unix(1_700_000_000, 0)
	body := []byte("payload")
	want, err := wh.Sign("msg_1", ts, body)
	if err != nil {
		t.Fatal(err)
	}
	got, err := Sign(secret, "msg_1", ts, body)
	if err != nil || got != want {
		t.Fatalf("Sign = %q, library = %q (%v)", got, want, err)
	}
}

func TestInternal(t *testing.T) {
	tests := map[string]bool{
		"127.0.0.1": true, "10.1.2.3": true, "172.16.0.1": true, "192.168.1.1": true,
		"169.254.169.254": true, "0.0.0.0": true, "100.64.1.1": true, "::1": true, "fe80::1": true,
		"fd00::1": true, "::ffff:127.0.0.1": true, "224.0.0.1": true,
		"8.8.8.8": false, "1.1.1.1": false, "2606:4700::1111": false,
	}
	for s, want := range tests {
		if got := Internal(net.ParseIP(s)); got != want {
			t.Errorf("Internal(%s) = %v, want %v", s, got, want)
		}
	}
}

func TestDenyPrivate(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(200) }))
	defer srv.Close()
	s := NewSender(true, 0)
	if err := s.CheckURL(context.Background(), srv.URL); err == nil {
		t.Fatal("a loopback URL passed the check")
	}
	if err := s.CheckURL(context.Background(), "http://localhost:1/x"); err == nil {
		t.Fatal("localhost passed the check")
	}
	// At delivery time too: the address is checked when connecting.
	if _, err := s.Send(context.Background(), srv.URL, secret, "e", []byte("{}")); err == nil {
		t.Fatal("delivered to loopback")
	}
	if err := NewSender(false, 0).CheckURL(context.Background(), srv.URL); err != nil {
		t.Fatalf("allowed by default: %v", err)
	}
}
