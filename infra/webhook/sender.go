// Package webhook delivers events to subscribers over HTTP, signed per the
// Standard Webhooks specification, and guards against targets on private
// networks when asked to.
package webhook

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// Timeout is how long a receiver has to answer (API.md: 10 s).
const Timeout = 10 * time.Second

// Sign returns the webhook-signature header value for a message: "v1," and
// the base64 HMAC-SHA256 of "id.timestamp.body" keyed by the secret's bytes.
func Sign(secret, id string, ts time.Time, body []byte) (string, error) {
	key, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(secret, "whsec_"))
	if err != nil {
		return "", fmt.Errorf("webhook secret: %w", err)
	}
	mac := hmac.New(sha256.New, key)
	fmt.Fprintf(mac, "%s.%d.", id, ts.Unix())
	mac.Write(body)
	return "v1," + base64.StdEncoding.EncodeToString(mac.Sum(nil)), nil
}

// Sender posts signed events.
type Sender struct {
	client      *http.Client
	denyPrivate bool
}

// NewSender returns a sender; with denyPrivate it refuses to connect to
// private, loopback, link-local and other internal addresses, checked on
// the resolved address at connect time so DNS rebinding cannot sneak past.
// timeout is how long a receiver has to answer; 0 means Timeout.
func NewSender(denyPrivate bool, timeout time.Duration) *Sender {
	if timeout <= 0 {
		timeout = Timeout
	}
	return &Sender{
		client: &http.Client{
			Transport: guardedTransport(denyPrivate),
			Timeout:   timeout,
			// A redirect could point anywhere; receivers must answer directly.
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		},
		denyPrivate: denyPrivate,
	}
}

// guardedTransport is the transport of every outgoing request zapgate
// makes for its users (webhooks, media by URL): with denyPrivate, the
// resolved address is checked at connect time.
func guardedTransport(denyPrivate bool) *http.Transport {
	dialer := &net.Dialer{Timeout: 5 * time.Second}
	if denyPrivate {
		dialer.Control = func(network, address string, _ syscall.RawConn) error {
			host, _, err := net.SplitHostPort(address)
			if err != nil {
				return err
			}
			if ip := net.ParseIP(host); ip == nil || Internal(ip) {
				return fmt.Errorf("refusing to connect to internal address %s", host)
			}
			return nil
		}
	}
	return &http.Transport{
		Proxy:               nil,
		DialContext:         dialer.DialContext,
		MaxIdleConnsPerHost: 8,
		IdleConnTimeout:     90 * time.Second,
		TLSHandshakeTimeout: 5 * time.Second,
	}
}

// Send posts body to url with the Standard Webhooks headers and returns the
// status code; any error means no answer was received.
func (s *Sender) Send(ctx context.Context, url, secret, eventID string, body []byte) (int, error) {
	now := time.Now()
	sig, err := Sign(secret, eventID, now, body)
	if err != nil {
		return 0, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return 0, fmt.Errorf("webhook request: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "zapgate-webhooks/1")
	req.Header.Set("webhook-id", eventID)
	req.Header.Set("webhook-timestamp", strconv.FormatInt(now.Unix(), 10))
	req.Header.Set("webhook-signature", sig)
	resp, err := s.client.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	return resp.StatusCode, nil
}

// CheckURL implements app.URLGuard: with denyPrivate, a URL whose host is
// or resolves to an internal address is refused.
func (s *Sender) CheckURL(ctx context.Context, rawURL string) error {
	if !s.denyPrivate {
		return nil
	}
	u, err := url.Parse(rawURL)
	if err != nil {
		return errors.New("is not a URL")
	}
	host := u.Hostname()
	ips := []net.IP{net.ParseIP(host)}
	if ips[0] == nil {
		addrs, err := net.DefaultResolver.LookupIPAddr(ctx, host)
		if err != nil {
			return fmt.Errorf("host %s does not resolve", host)
		}
		ips = ips[:0]
		for _, a := range addrs {
			ips = append(ips, a.IP)
		}
	}
	for _, ip := range ips {
		if Internal(ip) {
			return fmt.Errorf("points to an internal address (%s), refused by ZAPGATE_WEBHOOK_DENY_PRIVATE", ip)
		}
	}
	return nil
}

// carrierNAT is 100.64.0.0/10, shared address space that is not public.
var carrierNAT = &net.IPNet{IP: net.IPv4(100, 64, 0, 0), Mask: net.CIDRMask(10, 32)}

// Internal tells whether ip is loopback, private, link-local (cloud
// metadata lives there), unspecified, multicast or carrier NAT.
func Internal(ip net.IP) bool {
	if v4 := ip.To4(); v4 != nil {
		ip = v4
	}
	return ip.IsLoopback() || ip.IsPrivate() || ip.IsLinkLocalUnicast() || ip.IsLinkLocalMulticast() ||
		ip.IsInterfaceLocalMulticast() || ip.IsMulticast() || ip.IsUnspecified() || carrierNAT.Contains(ip)
}
