// Package ws is the websocket feed: every event, live, to dashboards and
// integrations, with a resume from the event log that has no gap and no
// duplicate.
package ws

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/gofiber/contrib/websocket"

	"github.com/zapgate/zapgate/events"
)

// Subscriber gives this process its own queue on the events fanout.
type Subscriber interface {
	Subscribe(ctx context.Context, name string) (<-chan *message.Message, error)
}

// Backlog reads missed events from the event log.
type Backlog interface {
	EventsAfter(ctx context.Context, after, upTo, instanceID string, limit int) ([]events.Envelope, error)
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
	// A client may be this many bytes behind before the feed waits for it
	// (see flow): well under the smallest socket buffers of a connection
	// (Linux: 128 KiB receive + 16 KiB send), so a close frame always fits.
	flowBudget    = 32 << 10
	flowPingEvery = 8 << 10
)

// MaxConnsPerToken caps the websockets one token may hold open in a process.
const MaxConnsPerToken = 20

// Hub fans events from this process's queue out to its clients.
type Hub struct {
	log     *slog.Logger
	mu      sync.Mutex
	clients map[*client]struct{}
	perKey  map[string]int
	last    string // the last logged (not replayed) event broadcast
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
	id       string
	replayed bool
	data     []byte
}

// Run consumes the events until ctx ends.
func (h *Hub) Run(ctx context.Context, sub Subscriber, queue string) error {
	msgs, err := sub.Subscribe(ctx, queue)
	if err != nil {
		return err
	}
	for msg := range msgs {
		env, err := events.FromMessage(msg)
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
	if !e.Replayed {
		h.last = e.ID
	}
	for c := range h.clients {
		if !c.filter(e) {
			continue
		}
		select {
		case c.send <- frame{id: e.ID, replayed: e.Replayed, data: data}:
		default:
			c.once.Do(func() { close(c.slow) })
		}
	}
}

// add registers c and returns the last logged event broadcast before: c's
// live frames are the log's events after it.
func (h *Hub) add(c *client) (last string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.clients[c] = struct{}{}
	return h.last
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
//
// The seam is exact because the log and the live feed share one order (the
// forwarder's) and this hub broadcasts it without gaps: registering tells
// the last event broadcast before (hubLast), so the backlog is the log from
// Since up to hubLast and the live frames are what follows. When the client
// is ahead of this hub (it read from a faster replica, or a backlog read
// what the hub had not broadcast yet), the live frames up to Since are
// repeats and are skipped. A hub that has broadcast nothing yet reads the
// backlog up to the log's horizon instead: an event broadcast before
// registration lies below it, one above it arrives live, and what both
// deliver is sent once.
func (h *Hub) Serve(ctx context.Context, conn *websocket.Conn, s Session, backlog Backlog) {
	if !h.Reserve(s.Key) {
		h.closeWith(conn, CloseTooMany, "this token holds too many websocket connections")
		return
	}
	defer h.Unreserve(s.Key)
	c := &client{filter: s.Filter, send: make(chan frame, sendBuffer), slow: make(chan struct{})}
	hubLast := h.add(c)
	defer h.remove(c)

	f := &feed{hub: h, conn: conn, c: c, flow: flow{budget: flowBudget, pingEvery: flowPingEvery},
		wake: make(chan struct{}, 1), closed: make(chan struct{}), ping: time.NewTicker(pingInterval)}
	defer f.ping.Stop()
	go f.read()
	// The reader must be gone before Serve returns: fasthttp hands this
	// connection's wrappers to the next one, and a reader left behind would
	// read that connection's frames and write its protocol errors into it.
	defer f.stopReader()
	f.end(ctx, f.run(ctx, s, backlog, hubLast))
}

// feed is one connection's writer: the Serve goroutine owns it, except
// readMark, wake and readErr, which the reader goroutine sets.
type feed struct {
	hub    *Hub
	conn   *websocket.Conn
	c      *client
	flow   flow
	ping   *time.Ticker
	closed chan struct{} // the reader ended (readErr says why)
	wake   chan struct{} // a pong arrived

	readMark atomic.Int64 // bytes the client proved read, from pongs
	readErr  error
	stopping atomic.Bool
}

var errStopping = errors.New("feed stopping")

// stopReader ends the reader goroutine and waits for it.
func (f *feed) stopReader() {
	f.stopping.Store(true)
	_ = f.conn.SetReadDeadline(time.Now())
	<-f.closed
}

// ending is why a feed stops: the close code sent (0 when the connection is
// gone) and, for a client closed by the server, why (logged).
type ending struct {
	code   int
	reason string
	why    string
}

func (f *feed) read() {
	defer close(f.closed)
	_ = f.conn.SetReadDeadline(time.Now().Add(readTimeout))
	f.conn.SetPongHandler(func(payload string) error {
		if n := pongPayload(payload); n > 0 {
			for old := f.readMark.Load(); n > old && !f.readMark.CompareAndSwap(old, n); old = f.readMark.Load() {
			}
		}
		select {
		case f.wake <- struct{}{}:
		default:
		}
		if f.stopping.Load() {
			return errStopping
		}
		err := f.conn.SetReadDeadline(time.Now().Add(readTimeout))
		if f.stopping.Load() { // stopReader ran meanwhile: keep its deadline
			return errStopping
		}
		return err
	})
	for {
		if _, _, err := f.conn.ReadMessage(); err != nil {
			f.readErr = err
			return
		}
	}
}

func (f *feed) run(ctx context.Context, s Session, backlog Backlog, hubLast string) ending {
	// sent holds the ids the client has that may still come live.
	sent := map[string]bool{}
	if s.Since != "" {
		var skip []events.Envelope
		var err error
		if hubLast != "" {
			skip, err = f.readLog(ctx, backlog, hubLast, s.Since, s.InstanceID)
		}
		if err != nil || hubLast == "" {
			// No bound from this hub (or it left the log): up to the horizon.
			hubLast, skip = "", nil
		}
		for i := range skip {
			if s.Filter(&skip[i]) {
				sent[skip[i].ID] = true
			}
		}
		after := s.Since
		for {
			page, err := backlog.EventsAfter(ctx, after, hubLast, s.InstanceID, backlogPage)
			if err != nil {
				return ending{code: CloseBadResume, reason: "cannot resume: " + err.Error()}
			}
			for i := range page {
				e := &page[i]
				if !s.Filter(e) {
					continue
				}
				data, err := json.Marshal(e)
				if err != nil {
					return ending{code: websocket.CloseInternalServerErr, reason: "cannot encode an event", why: err.Error()}
				}
				if end, ok := f.deliver(ctx, data); !ok {
					return end
				}
				if hubLast == "" {
					sent[e.ID] = true
				}
			}
			if len(page) < backlogPage {
				break
			}
			after = page[len(page)-1].ID
		}
	}
	matched := false
	for {
		fr, end, ok := f.next(ctx, f.c.send)
		if !ok {
			return end
		}
		if fr == nil {
			continue
		}
		// A replay resends an event on purpose: never taken for a repeat.
		if !fr.replayed && sent != nil {
			if sent[fr.id] {
				delete(sent, fr.id)
				matched = true
				continue
			}
			// Live events come in log order: once they reached the backlog,
			// the first one it did not send is past its end.
			if matched {
				sent = nil
			}
		}
		if end, ok := f.deliver(ctx, fr.data); !ok {
			return end
		}
	}
}

// readLog reads the whole log between two events.
func (f *feed) readLog(ctx context.Context, backlog Backlog, after, upTo, instanceID string) ([]events.Envelope, error) {
	var out []events.Envelope
	for {
		page, err := backlog.EventsAfter(ctx, after, upTo, instanceID, backlogPage)
		if err != nil {
			return nil, err
		}
		out = append(out, page...)
		if len(page) < backlogPage {
			return out, nil
		}
		after = page[len(page)-1].ID
	}
}

// deliver writes data once the client has read enough of what came before.
func (f *feed) deliver(ctx context.Context, data []byte) (ending, bool) {
	for {
		f.flow.pong(f.readMark.Load())
		if f.flow.mayWrite(len(data)) {
			break
		}
		if f.flow.unpinged() {
			if end, ok := f.sendPing(); !ok {
				return end, false
			}
		}
		if _, end, ok := f.next(ctx, nil); !ok {
			return end, false
		}
	}
	_ = f.conn.SetWriteDeadline(time.Now().Add(writeTimeout))
	if err := f.conn.WriteMessage(websocket.TextMessage, data); err != nil {
		return f.broken("write failed", err), false
	}
	if f.flow.wrote(len(data)) {
		return f.sendPing()
	}
	return ending{}, true
}

// next waits for a live frame (when in is not nil), a pong or a ping due;
// it returns !ok when the feed must end.
func (f *feed) next(ctx context.Context, in <-chan frame) (*frame, ending, bool) {
	select {
	case <-ctx.Done():
		return nil, ending{code: websocket.CloseGoingAway, reason: "server shutting down"}, false
	case <-f.closed:
		var ne net.Error
		if errors.As(f.readErr, &ne) && ne.Timeout() {
			return nil, ending{code: CloseTooSlow, reason: "client too slow: reconnect with since=<last event id>",
				why: fmt.Sprintf("no pong for %s: the client stopped reading", readTimeout)}, false
		}
		return nil, ending{}, false
	case <-f.c.slow:
		return nil, ending{code: CloseTooSlow, reason: "client too slow: reconnect with since=<last event id>",
			why: fmt.Sprintf("%d events waited for it: it stopped reading or reads slower than events come", sendBuffer)}, false
	case fr := <-in:
		return &fr, ending{}, true
	case <-f.wake:
		return nil, ending{}, true
	case <-f.ping.C:
		end, ok := f.sendPing()
		return nil, end, ok
	}
}

func (f *feed) sendPing() (ending, bool) {
	if err := f.conn.WriteControl(websocket.PingMessage, []byte(f.flow.ping()), time.Now().Add(writeTimeout)); err != nil {
		return f.broken("ping failed", err), false
	}
	return ending{}, true
}

// broken is the end of a connection that cannot be written to: no close
// frame can go, so it is only logged when the client had not left.
func (f *feed) broken(what string, err error) ending {
	select {
	case <-f.closed:
		return ending{}
	default:
	}
	return ending{why: what + ": " + err.Error()}
}

// end closes the feed as e says, then waits for the client's answering
// close (the closing handshake) for up to readTimeout: closing the socket at
// once would answer the client's late pongs with a reset, which can discard
// the close frame still on its way.
func (f *feed) end(ctx context.Context, e ending) {
	if e.why != "" {
		f.hub.log.Warn("closing a websocket client", "code", e.code, "why", e.why, "unread_bytes", f.flow.unread())
	}
	if e.code == 0 {
		return
	}
	select {
	case <-f.closed:
		if e.code != CloseTooSlow {
			return
		}
	default:
	}
	f.hub.closeWith(f.conn, e.code, e.reason)
	wait := time.NewTimer(readTimeout)
	defer wait.Stop()
	select {
	case <-f.closed:
	case <-ctx.Done():
	case <-wait.C:
	}
}

func (h *Hub) closeWith(conn *websocket.Conn, code int, reason string) {
	_ = conn.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(code, reason), time.Now().Add(writeTimeout))
}
