// Package api is zapgate's REST API on Fiber: one routes file, one place
// that maps errors to statuses, converters between JSON and the app.
package api

import (
	"bufio"
	"context"
	"io"
	"log/slog"
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/zapgate/zapgate/app"
	"github.com/zapgate/zapgate/domain"
	"github.com/zapgate/zapgate/handlers/ws"
	"github.com/zapgate/zapgate/infra/metrics"
)

// BodyLimit fits a 16 MiB file in base64 (4/3 larger) plus the JSON around it.
const BodyLimit = domain.MaxMediaBytes*4/3 + 1<<20

// drainLimit is how much of a refused body is still read and thrown away so
// the client, busy writing it, reads the 413 instead of a reset connection.
// Past it (or drainTimeout) the connection is closed.
const (
	drainLimit   = 64 << 20
	drainTimeout = 30 * time.Second
)

// Pinger is a dependency /readyz checks.
type Pinger interface {
	Ping(ctx context.Context) error
}

// Server is the API of one process.
type Server struct {
	app     *app.App
	metrics *metrics.Metrics
	sim     SimNetwork // nil unless the sim driver runs
	ready   map[string]Pinger
	log     *slog.Logger
	fiber   *fiber.App

	publicURL  string
	hookLimits hookLimiter
	hub        *ws.Hub
	logins     *loginGuard
	ctx        context.Context // ends when the server stops: closes websockets
	// process names this API process in the dashboards' presence rows.
	process string
}

// Options are the optional parts of a Server.
type Options struct {
	Sim       SimNetwork
	Ready     map[string]Pinger
	PublicURL string // base of the links zapgate hands out
	// Hub serves the websocket feed; nil leaves /v1/ws out.
	Hub *ws.Hub
	// Context ends long-lived connections (websockets) when it is done.
	Context context.Context
}

// New builds the Fiber app with every route.
func New(a *app.App, m *metrics.Metrics, opts Options, log *slog.Logger) *Server {
	s := &Server{app: a, metrics: m, sim: opts.Sim, ready: opts.Ready, publicURL: opts.PublicURL,
		hub: opts.Hub, ctx: opts.Context, logins: newLoginGuard(), log: log.With("role", "api"),
		process: domain.NewID(time.Now())}
	s.fiber = fiber.New(fiber.Config{
		AppName:   "zapgate",
		BodyLimit: BodyLimit,
		// Bodies are streamed to limitBody, which enforces each route's
		// limit: fasthttp's own limit answers 413 and closes the connection
		// without reading the body, so clients still writing it see a
		// reset or broken pipe instead of the answer.
		StreamRequestBody: true,
		// A multipart body would otherwise be read (to temporary files)
		// before limitBody sees it, whatever its size.
		DisablePreParseMultipartForm: true,
		ReadTimeout:                  30 * time.Second,
		WriteTimeout:                 30 * time.Second,
		IdleTimeout:                  120 * time.Second,
		ErrorHandler:                 s.errorHandler,
		DisableStartupMessage:        true,
		// Values from the request outlive the handler in logs and errors.
		Immutable: true,
	})
	s.routes()
	return s
}

// Fiber exposes the app for tests.
func (s *Server) Fiber() *fiber.App { return s.fiber }

// Listen serves on addr until Shutdown.
func (s *Server) Listen(addr string) error { return s.fiber.Listen(addr) }

// Shutdown stops accepting connections and waits for in-flight requests.
func (s *Server) Shutdown(ctx context.Context) error { return s.fiber.ShutdownWithContext(ctx) }

// observe records every request by route template, not raw path.
func (s *Server) observe(c *fiber.Ctx) error {
	start := time.Now()
	err := c.Next()
	status := c.Response().StatusCode()
	if err != nil {
		status, _ = s.describe(c, err)
	}
	route := c.Route().Path
	s.metrics.HTTPRequests.WithLabelValues(c.Method(), route, strconv.Itoa(status)).Inc()
	s.metrics.HTTPDuration.WithLabelValues(c.Method(), route).Observe(time.Since(start).Seconds())
	return err
}

// smallBodyLimit applies to every request that carries no media.
const smallBodyLimit = 1 << 20

// limitBody reads the request body, holding requests without media to 1 MiB;
// only the routes that take files get the full BodyLimit. A body over the
// limit is refused with 413 as soon as its length is known, and the rest of
// it is drained after the answer (see drain).
func (s *Server) limitBody(c *fiber.Ctx) error {
	p := c.Path()
	limit, tooLarge := smallBodyLimit, errBodyTooLarge
	if strings.HasSuffix(p, "/messages") || strings.HasSuffix(p, "/inbound") {
		limit, tooLarge = BodyLimit, domain.ErrMediaTooLarge
	}
	req := c.Request()
	stream := req.BodyStream()
	if _, ok := multipartBoundary(c.Get(fiber.HeaderContentType)); ok && strings.HasSuffix(p, "/messages") && stream != nil {
		// A message upload is left unread: parseSend streams the file
		// into its one buffer and stops at the limit.
		if n := req.Header.ContentLength(); n > multipartLimit {
			s.drain(c)
			return domain.ErrMediaTooLarge
		}
		return c.Next()
	}
	if stream == nil { // already in memory
		if len(c.Body()) > limit {
			return tooLarge
		}
		return c.Next()
	}
	if n := req.Header.ContentLength(); n > limit {
		s.drain(c)
		return tooLarge
	}
	body, err := io.ReadAll(io.LimitReader(stream, int64(limit)+1))
	if err != nil {
		c.Context().SetConnectionClose()
		return &domain.Error{Kind: domain.KindInvalid, Code: "bad_request", Message: "the body could not be read: " + err.Error()}
	}
	if len(body) > limit { // chunked: the length was not announced
		s.drain(c)
		return tooLarge
	}
	req.SetBodyRaw(body)
	return c.Next()
}

var errBodyTooLarge = &domain.Error{Kind: domain.KindTooLarge, Code: "body_too_large", Message: "this route takes at most 1 MiB"}

// drain answers and closes the connection, first reading and dropping what
// is left of the body (at most drainLimit, within drainTimeout, or until the
// server stops), so a client that writes the whole body before reading
// reads the answer. fasthttp closes a "Connection: close" connection right
// after the answer, before a hijack handler would run, so the handler
// writes the answer itself.
func (s *Server) drain(c *fiber.Ctx) {
	stopped := s.ctx
	if stopped == nil {
		stopped = context.Background()
	}
	rc := c.Context() // outlives c: fasthttp releases it after the handler below
	rc.HijackSetNoResponse(true)
	rc.Hijack(func(conn net.Conn) {
		// fasthttp runs this after the error handler filled the response,
		// and closes conn after it.
		stop := context.AfterFunc(stopped, func() { _ = conn.SetDeadline(time.Now()) })
		defer stop()
		_ = conn.SetDeadline(time.Now().Add(drainTimeout))
		rc.Response.SetConnectionClose()
		w := bufio.NewWriter(conn)
		if rc.Response.Write(w) != nil || w.Flush() != nil {
			return
		}
		_, _ = io.CopyN(io.Discard, conn, drainLimit)
	})
}

// checkQuery refuses query parameters Postgres could not take as text
// (NUL, invalid UTF-8), naming the parameter, on every route at once.
func (s *Server) checkQuery(c *fiber.Ctx) error {
	var bad error
	c.Context().QueryArgs().VisitAll(func(k, v []byte) {
		if bad != nil {
			return
		}
		if p := domain.TextProblem(string(k)); p != "" {
			bad = domain.InvalidField("query", "parameter names "+p)
		} else if err := domain.CheckText(string(k), string(v)); err != nil {
			bad = err
		}
	})
	if bad != nil {
		return bad
	}
	return c.Next()
}

func queryPage(c *fiber.Ctx) (app.Page, error) {
	p := app.Page{Cursor: c.Query("cursor")}
	if l := c.Query("limit"); l != "" {
		n, err := strconv.Atoi(l)
		if err != nil || n < 1 {
			return p, domain.InvalidField("limit", "must be a positive number (at most 500 are returned)")
		}
		p.Limit = min(n, 500)
	}
	return p, nil
}
