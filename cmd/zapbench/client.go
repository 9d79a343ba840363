package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"time"
)

// apiClient talks to zapgate with the admin token over keep-alive
// connections.
type apiClient struct {
	base  string
	token string
	hc    *http.Client
}

// newAPIClient returns a client whose transport keeps up to conns idle
// connections to zapgate, so concurrent clients never reconnect.
func newAPIClient(base, token string, conns int) *apiClient {
	tr := &http.Transport{
		Proxy:               nil,
		DialContext:         (&net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		MaxIdleConns:        conns * 2,
		MaxIdleConnsPerHost: conns,
		IdleConnTimeout:     90 * time.Second,
		DisableCompression:  true,
	}
	return &apiClient{base: base, token: token, hc: &http.Client{Transport: tr, Timeout: 60 * time.Second}}
}

// withConns returns a client on the same server with its own transport
// sized for conns concurrent requests.
func (a *apiClient) withConns(conns int) *apiClient {
	return newAPIClient(a.base, a.token, conns)
}

func (a *apiClient) close() { a.hc.CloseIdleConnections() }

// apiError is a non-2xx answer.
type apiError struct {
	Method, Path string
	Status       int
	Body         string
}

func (e *apiError) Error() string {
	return fmt.Sprintf("%s %s: %d %s", e.Method, e.Path, e.Status, e.Body)
}

// raw sends body (already JSON, may be nil) and returns the status and the
// answer's body.
func (a *apiClient) raw(ctx context.Context, method, path string, body []byte) (int, []byte, error) {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, a.base+path, rd)
	if err != nil {
		return 0, nil, err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Authorization", "Bearer "+a.token)
	resp, err := a.hc.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, b, err
}

// call sends in as JSON, checks the status is want and decodes the answer
// into out (when not nil).
func (a *apiClient) call(ctx context.Context, method, path string, in any, want int, out any) error {
	var body []byte
	if in != nil {
		var err error
		if body, err = json.Marshal(in); err != nil {
			return err
		}
	}
	st, b, err := a.raw(ctx, method, path, body)
	if err != nil {
		return fmt.Errorf("%s %s: %w", method, path, err)
	}
	if st != want {
		if len(b) > 300 {
			b = b[:300]
		}
		return &apiError{Method: method, Path: path, Status: st, Body: string(bytes.TrimSpace(b))}
	}
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			return fmt.Errorf("%s %s: decoding the answer: %w", method, path, err)
		}
	}
	return nil
}

// get returns the status of GET path and decodes a 200 answer into out.
func (a *apiClient) get(ctx context.Context, path string, out any) (int, error) {
	st, b, err := a.raw(ctx, http.MethodGet, path, nil)
	if err != nil {
		return 0, err
	}
	if st == http.StatusOK && out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			return st, err
		}
	}
	return st, nil
}

type instanceView struct {
	ID     string `json:"id"`
	Name   string `json:"name"`
	Status string `json:"status"`
	Phone  string `json:"phone"`
}

func (a *apiClient) instance(ctx context.Context, id string) (instanceView, error) {
	var in instanceView
	err := a.call(ctx, http.MethodGet, "/v1/instances/"+id, nil, http.StatusOK, &in)
	return in, err
}

func (a *apiClient) createInstance(ctx context.Context, name string) (string, error) {
	var in instanceView
	if err := a.call(ctx, http.MethodPost, "/v1/instances", map[string]any{"name": name}, http.StatusCreated, &in); err != nil {
		return "", err
	}
	return in.ID, nil
}

// waitStatus polls the instance until its status is want.
func (a *apiClient) waitStatus(ctx context.Context, id, want string, timeout time.Duration) error {
	last := ""
	err := waitFor(ctx, timeout, 20*time.Millisecond, fmt.Sprintf("instance %s %q", id, want), func(ctx context.Context) (bool, error) {
		in, err := a.instance(ctx, id)
		last = in.Status
		return err == nil && in.Status == want, err
	})
	if err != nil && last != "" {
		return fmt.Errorf("%w (status %q)", err, last)
	}
	return err
}

// scan links the instance in the sim once it shows a QR.
func (a *apiClient) scan(ctx context.Context, id, phone string, timeout time.Duration) error {
	if err := a.waitStatus(ctx, id, "qr", timeout); err != nil {
		return err
	}
	return a.call(ctx, http.MethodPost, "/v1/sim/instances/"+id+"/scan", map[string]any{"phone": phone}, http.StatusOK, nil)
}

// linkInstance creates an instance, scans its QR in the sim and waits
// until it is connected.
func (e *env) linkInstance(ctx context.Context, name string) (string, error) {
	id, err := e.api.createInstance(ctx, name)
	if err != nil {
		return "", err
	}
	if err := e.api.scan(ctx, id, e.nextPhone(), time.Minute); err != nil {
		return "", err
	}
	if err := e.api.waitStatus(ctx, id, "connected", time.Minute); err != nil {
		return "", err
	}
	return id, nil
}

type simStats struct {
	Sent      int64 `json:"sent"`
	Distinct  int64 `json:"distinct"`
	Instances int64 `json:"instances"`
}

func (a *apiClient) simStats(ctx context.Context) (simStats, error) {
	var s simStats
	err := a.call(ctx, http.MethodGet, "/v1/sim/stats", nil, http.StatusOK, &s)
	return s, err
}

// listInstances pages through GET /v1/instances.
func (a *apiClient) listInstances(ctx context.Context) ([]instanceView, error) {
	var all []instanceView
	cursor := ""
	for {
		path := "/v1/instances?limit=500"
		if cursor != "" {
			path += "&cursor=" + url.QueryEscape(cursor)
		}
		var page struct {
			Items []instanceView `json:"items"`
			Next  string         `json:"next"`
		}
		if err := a.call(ctx, http.MethodGet, path, nil, http.StatusOK, &page); err != nil {
			return nil, err
		}
		all = append(all, page.Items...)
		if page.Next == "" {
			return all, nil
		}
		cursor = page.Next
	}
}
