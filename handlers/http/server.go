// Package http is zapgate's REST API on Fiber: one routes file, one place
// that maps errors to statuses, converters between JSON and the app.
package http

import (
	"context"
	"log/slog"
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
		hub: opts.Hub, ctx: opts.Context, logins: newLoginGuard(), log: log.With("role", "api")}
	s.fiber = fiber.New(fiber.Config{
		AppName:               "zapgate",
		BodyLimit:             BodyLimit,
		ReadTimeout:           30 * time.Second,
		WriteTimeout:          30 * time.Second,
		IdleTimeout:           120 * time.Second,
		ErrorHandler:          s.errorHandler,
		DisableStartupMessage: true,
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

// limitBody holds requests without media to 1 MiB; only the routes that
// take files get the full BodyLimit.
func (s *Server) limitBody(c *fiber.Ctx) error {
	if len(c.Body()) <= smallBodyLimit {
		return c.Next()
	}
	p := c.Path()
	media := strings.HasSuffix(p, "/messages") || strings.HasSuffix(p, "/inbound")
	if !media {
		return &domain.Error{Kind: domain.KindTooLarge, Code: "body_too_large", Message: "this route takes at most 1 MiB"}
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
