// Package ws is the websocket feed: every event, live, to dashboards and
// integrations, with a resume from the event log that has no gap and no
// duplicate.
package ws

import (
	"context"
	"encoding/json"
	"log/slog"
	"sync"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/gofiber/contrib/websocket"

	"github.com/zapgate/zapgate/events"
	"github.com/zapgate/zapgate/infra/outbox"
)

// Subscriber gives this process its own queue on the events fanout.
type Subscriber interface {
	Subscribe(ctx context.Context, name string) (<-chan *message.Message, error)
}

// Backlog reads missed events from the event log.
type Backlog interface {
	EventsAfter(ctx context.Context, after, instanceID string, limit int) ([]events.Envelope, error)
}

// Close codes sent to clients.
const (
	CloseTooSlow   = 4008 // the client did not keep up with the feed
	CloseBadResume = 4004 // since names an event the log does not have
	CloseTooMany   = 4029 // the token holds MaxConnsPerToken connections already
)

const (
	sendBuffer   = 512
	pingInterval = 25 * time.Second
	readTimeout  = 60 * time.Second
	writeTimeout = 10 * time.Second
	backlogPage  = 1000
)

// MaxConnsPerToken caps the websockets one token may hold open in a process.
const MaxConnsPerToken = 20

// Hub fans events from this process's queue out to its clients.
type Hub struct {
	log     *slog.Logger
	mu      sync.Mutex
	clients map[*client]struct{}
	perKey  map[string]int
}

// NewHub returns an empty hub.
func NewHub(log *slog.Logger) *Hub {
	return &Hub{log: log.With("role", "websocket"), clients: map[*client]struct{}{}, perKey: map[string]int{}}
}

// Reserve counts a connection for key (a token's hash) and reports false
// when the key holds MaxConnsPerToken already; Unreserve undoes it.
func (h *Hub) Reserve(key string) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.perKey[key] >= MaxConnsPerToken {
		return false
	}
	h.perKey[key]++
	return true
}

// Unreserve releases a connection counted by Reserve.
func (h *Hub) Unreserve(key string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.perKey[key]--; h.perKey[key] <= 0 {
		delete(h.perKey, key)
	}
}

type client struct {
	filter func(e *events.Envelope) bool
	send   chan frame
	slow   chan struct{}
	once   sync.Once
}

type frame struct {
	id   string
	data []byte
}

// Run consumes the events until ctx ends.
func (h *Hub) Run(ctx context.Context, sub Subscriber, queue string) error {
	msgs, err := sub.Subscribe(ctx, queue)
	if err != nil {
		return err
	}
	for msg := range msgs {
		env, err := outbox.FromMessage(msg)
		msg.Ack() // a live feed does not redeliver: resumes use the log
		if err != nil {
			h.log.Warn("undecodable event", "uuid", msg.UUID, "err", err)
			continue
		}
		h.broadcast(&env, msg.Payload)
	}
	return nil
}

func (h *Hub) broadcast(e *events.Envelope, data []byte) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for c := range h.clients {
		if !c.filter(e) {
			continue
		}
		select {
		case c.send <- frame{id: e.ID, data: data}:
		default:
			c.once.Do(func() { close(c.slow) })
		}
	}
}

func (h *Hub) add(c *client) {
	h.mu.Lock()
	h.clients[c] = struct{}{}
	h.mu.Unlock()
}

func (h *Hub) remove(c *client) {
	h.mu.Lock()
	delete(h.clients, c)
	h.mu.Unlock()
}

// Clients counts connected clients.
func (h *Hub) Clients() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.clients)
}

// Session is one authorised connection's view of the feed.
type Session struct {
	// Key is what the connection was counted under by Reserve.
	Key    string
	Filter func(e *events.Envelope) bool
	// InstanceID limits the backlog to one instance ("" for all).
	InstanceID string
	Since      string
}

// Serve streams events to conn until it closes: the backlog after Since
// first, then live events, skipping any the backlog already sent.
func (h *Hub) Serve(ctx context.Context, conn *websocket.Conn, s Session, backlog Backlog) {
	if !h.Reserve(s.Key) {
		h.closeWith(conn, CloseTooMany, "this token holds too many websocket connections")
		return
	}
	defer h.Unreserve(s.Key)
	c := &client{filter: s.Filter, send: make(chan frame, sendBuffer), slow: make(chan struct{})}
	// Register before reading the log: an event committed meanwhile is then
	// either in the backlog, in the live buffer, or both (de-duplicated).
	h.add(c)
	defer h.remove(c)

	closed := make(chan struct{})
	go func() {
		defer close(closed)
		_ = conn.SetReadDeadline(time.Now().Add(readTimeout))
		conn.SetPongHandler(func(string) error { return conn.SetReadDeadline(time.Now().Add(readTimeout)) })
		for {
			if _, _, err := conn.ReadMessage(); err != nil {
				return
			}
		}
	}()

	sent := map[string]bool{}
	if s.Since != "" {
		after := s.Since
		for {
			page, err := backlog.EventsAfter(ctx, after, s.InstanceID, backlogPage)
			if err != nil {
				h.closeWith(conn, CloseBadResume, "cannot resume: "+err.Error())
				return
			}
			for i := range page {
				e := &page[i]
				if !s.Filter(e) {
					continue
				}
				data, err := json.Marshal(e)
				if err != nil || !h.write(conn, data) {
					return
				}
				sent[e.ID] = true
			}
			if len(page) < backlogPage {
				break
			}
			after = page[len(page)-1].ID
		}
	}

	ping := time.NewTicker(pingInterval)
	defer ping.Stop()
	for {
		select {
		case <-ctx.Done():
			h.closeWith(conn, websocket.CloseGoingAway, "server shutting down")
			return
		case <-closed:
			return
		case <-c.slow:
			h.log.Warn("closing a websocket client that fell behind")
			h.closeWith(conn, CloseTooSlow, "client too slow: reconnect with since=<last event id>")
			return
		case f := <-c.send:
			if sent[f.id] {
				delete(sent, f.id)
				continue
			}
			if !h.write(conn, f.data) {
				return
			}
		case <-ping.C:
			_ = conn.SetWriteDeadline(time.Now().Add(writeTimeout))
			if err := conn.WriteMessage(websocket.PingMessage, nil); err != nil {
				return
			}
		}
	}
}

func (h *Hub) write(conn *websocket.Conn, data []byte) bool {
	_ = conn.SetWriteDeadline(time.Now().Add(writeTimeout))
	return conn.WriteMessage(websocket.TextMessage, data) == nil
}

func (h *Hub) closeWith(conn *websocket.Conn, code int, reason string) {
	_ = conn.SetWriteDeadline(time.Now().Add(writeTimeout))
	_ = conn.WriteMessage(websocket.CloseMessage, websocket.FormatCloseMessage(code, reason))
}
