package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/pprof"
	"time"

	"github.com/ThreeDotsLabs/watermill"
	wamqp "github.com/ThreeDotsLabs/watermill-amqp/v2/pkg/amqp"
	"github.com/jmoiron/sqlx"
	wm "go.mau.fi/whatsmeow"
	"golang.org/x/sync/errgroup"

	"github.com/zapgate/zapgate/app"
	"github.com/zapgate/zapgate/domain"
	httpapi "github.com/zapgate/zapgate/handlers/http"
	"github.com/zapgate/zapgate/handlers/messaging"
	"github.com/zapgate/zapgate/handlers/whatsapp"
	"github.com/zapgate/zapgate/handlers/ws"
	"github.com/zapgate/zapgate/infra/config"
	"github.com/zapgate/zapgate/infra/metrics"
	"github.com/zapgate/zapgate/infra/outbox"
	"github.com/zapgate/zapgate/infra/postgres"
	"github.com/zapgate/zapgate/infra/qr"
	"github.com/zapgate/zapgate/infra/rabbitmq"
	"github.com/zapgate/zapgate/infra/storage"
	"github.com/zapgate/zapgate/infra/webhook"
	"github.com/zapgate/zapgate/infra/whatsapp/sim"
	"github.com/zapgate/zapgate/infra/whatsapp/whatsmeow"
	"github.com/zapgate/zapgate/migrations"
)

// shutdownTimeout bounds a graceful stop: in-flight requests and sends get
// this long to finish.
const shutdownTimeout = 20 * time.Second

// driver is a WhatsApp driver as the bot and the app see it.
type driver interface {
	app.WhatsApp
	messaging.Sessions
}

// serve wires the adapters, applies migrations and runs the roles until ctx
// ends, then stops them in order within shutdownTimeout.
func serve(ctx context.Context, cfg config.Config, log *slog.Logger) error {
	log.Info("starting zapgate", "version", version, "roles", cfg.Roles.String(), "driver", cfg.WhatsAppDriver)
	db, err := postgres.Open(ctx, cfg.DatabaseURL, connectAttempts, log)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := postgres.Migrate(ctx, db, migrations.FS, log); err != nil {
		return err
	}
	names, err := brokerNames(ctx, cfg, db, log)
	if err != nil {
		return err
	}
	conn, err := rabbitmq.Dial(ctx, cfg.AMQPURL, connectAttempts, log)
	if err != nil {
		return err
	}
	defer conn.Close()
	if err := rabbitmq.DeclareTopology(conn, names); err != nil {
		return err
	}
	media, err := storage.Open(ctx, cfg.Storage, cfg.S3Endpoint)
	if err != nil {
		return err
	}

	store := postgres.NewStore(db, log)
	sender := webhook.NewSender(cfg.WebhookDenyPrivate)
	sink := &lateSink{}
	var (
		wa      driver
		network *sim.Network
		wmd     *whatsmeow.Driver
	)
	switch cfg.WhatsAppDriver {
	case "sim":
		// The sim stands in for WhatsApp's servers, so its writes need not
		// wait for the disk as zapgate's own do.
		simDB, err := postgres.Open(ctx, postgres.WithParam(cfg.DatabaseURL, "synchronous_commit", "off"), connectAttempts, log)
		if err != nil {
			return err
		}
		defer simDB.Close()
		simDB.SetMaxOpenConns(8)
		network = sim.New(simDB, sink, log)
		defer network.Close()
		wa = network
	default:
		if wmd, err = whatsmeow.New(ctx, db.DB, postgres.NewDevices(db), sink, log); err != nil {
			return err
		}
		defer wmd.Close()
		wmd.ShowTyping(cfg.TypingPresence)
		wa = wmd
	}
	a := app.New(app.Deps{AdminToken: cfg.AdminToken, Store: store, SendHooks: store, Webhooks: store, URLGuard: sender,
		Attendances: store, Attendants: store, Feedback: store, PublicURL: cfg.PublicURL,
		EventLog: postgres.NewEventLog(store), Replays: store, Storage: media, WhatsApp: wa, QR: qr.Renderer{}, Log: log})
	sink.app = a
	m := metrics.New()
	if wmd != nil {
		wmd.OnEvent(func(ctx context.Context, instanceID string, evt any) {
			tr := whatsapp.Translator{InstanceID: instanceID, Sink: a, Log: log,
				Download: downloader{wmd, instanceID}, Phone: func() string { return wmd.Phone(instanceID) },
				Alarm: func(kind string) { m.WhatsAppAlarms.WithLabelValues(kind).Inc() }}
			if err := tr.Handle(ctx, evt); err != nil && ctx.Err() == nil {
				log.Warn("whatsapp event", "instance", instanceID, "event", fmt.Sprintf("%T", evt), "err", err)
			}
		})
	}
	wlog := watermill.NewSlogLogger(log)

	runCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	defer cancel()
	g, gctx := errgroup.WithContext(runCtx)
	// stopping is closed when a signal arrives or a role fails.
	stopping := make(chan struct{})
	go func() {
		select {
		case <-ctx.Done():
		case <-gctx.Done():
		}
		close(stopping)
	}()

	if cfg.Roles[config.RoleForwarder] {
		fctx, fcancel := context.WithCancel(runCtx)
		defer fcancel()
		for _, topic := range outbox.Topics {
			pub := rabbitmq.NewPipelinedPublisher(conn, names)
			defer pub.Close()
			forwarded := m.ForwardDuration.WithLabelValues(topic)
			fwd, err := outbox.NewForwarder(db.DB, topic, pub, 20*time.Millisecond,
				func(d time.Duration) { forwarded.Observe(d.Seconds()) }, wlog)
			if err != nil {
				return err
			}
			g.Go(func() error { return fwd.Run(fctx) })
		}
		g.Go(func() error { <-stopping; fcancel(); return nil })
		g.Go(func() error { watchOutboxLag(fctx, db, m, log); return nil })
		g.Go(func() error { pruneEvents(fctx, a, cfg.EventRetention, log); return nil })
	}
	if cfg.Roles[config.RoleBot] {
		// 64 commands in hand per instance make a batch (the bot takes up to
		// 64); settling waits past the 30 s a begun send may take to be
		// recorded.
		sub := rabbitmq.NewCommandSubscriber(conn, names, 64, 35*time.Second, log)
		poison, err := rabbitmq.NewPoisonPublisher(conn, names, wlog)
		if err != nil {
			return err
		}
		leases := postgres.NewLeases(db, "bot-"+domain.NewID(time.Now()), 15*time.Second)
		// A quick tick links a new instance soon after it is created; a tick
		// is one cheap read, leases are renewed less often.
		bot := messaging.NewBot(a, wa, sub, queueJanitor{conn, names}, leases, poison, m, 250*time.Millisecond, cfg.SendRate, log)
		bctx, bcancel := context.WithCancel(runCtx)
		defer bcancel()
		g.Go(func() error { return bot.Run(bctx) })
		g.Go(func() error { <-stopping; bcancel(); return nil })
	}
	if cfg.Roles[config.RoleNotifier] {
		// Both consumer groups take up to 64 events at a time.
		sub := rabbitmq.NewEventSubscriber(conn, names, 64, 10*time.Second, log)
		hooks := messaging.NewWebhooks(a, sub, sender, m, 32, 4, log)
		attendance := messaging.NewAttendance(a, sub, log)
		nctx, ncancel := context.WithCancel(runCtx)
		defer ncancel()
		g.Go(func() error { return hooks.Run(nctx) })
		g.Go(func() error { return attendance.Run(nctx) })
		g.Go(func() error { <-stopping; ncancel(); return nil })
	}
	if cfg.Roles[config.RoleScheduler] {
		sched := messaging.NewScheduler(a, 500*time.Millisecond, log)
		closer := messaging.NewCloser(a, cfg.AttendanceIdle, cfg.AttendanceSweep, log)
		replayer := messaging.NewReplayer(a, 500*time.Millisecond, app.ReplayBatch, log)
		sctx, scancel := context.WithCancel(runCtx)
		defer scancel()
		g.Go(func() error { return sched.Run(sctx) })
		g.Go(func() error { return closer.Run(sctx) })
		g.Go(func() error { return replayer.Run(sctx) })
		g.Go(func() error { <-stopping; scancel(); return nil })
	}
	if cfg.Roles[config.RoleAPI] {
		opts := httpapi.Options{PublicURL: cfg.PublicURL, Ready: map[string]httpapi.Pinger{
			"postgres": pingFunc(db.PingContext),
			"rabbitmq": pingFunc(func(context.Context) error {
				if !conn.IsConnected() {
					return errors.New("not connected")
				}
				return nil
			}),
		}}
		if network != nil {
			opts.Sim = simControl{network}
		}
		hub := ws.NewHub(log)
		sub, err := wamqp.NewSubscriberWithConnection(rabbitmq.TransientEventsSubscriberConfig(cfg.AMQPURL, names, 256), wlog, conn)
		if err != nil {
			return fmt.Errorf("websocket subscriber: %w", err)
		}
		hctx, hcancel := context.WithCancel(runCtx)
		defer hcancel()
		g.Go(func() error { return hub.Run(hctx, sub, "ws."+domain.NewID(time.Now())) })
		g.Go(func() error { <-stopping; hcancel(); return nil })
		opts.Hub, opts.Context = hub, hctx
		srv := httpapi.New(a, m, opts, log)
		g.Go(func() error {
			log.Info("listening", "addr", cfg.HTTPAddr)
			if err := srv.Listen(cfg.HTTPAddr); err != nil {
				return fmt.Errorf("http: %w", err)
			}
			return nil
		})
		g.Go(func() error {
			<-stopping
			sctx, scancel := context.WithTimeout(context.Background(), shutdownTimeout)
			defer scancel()
			return srv.Shutdown(sctx)
		})
	}

	if cfg.PprofAddr != "" {
		pctx, pcancel := context.WithCancel(runCtx)
		defer pcancel()
		g.Go(func() error { return servePprof(pctx, cfg.PprofAddr, log) })
		g.Go(func() error { <-stopping; pcancel(); return nil })
	}

	done := make(chan error, 1)
	go func() { done <- g.Wait() }()
	select {
	case err := <-done:
		if err != nil && ctx.Err() == nil {
			return err
		}
	case <-stopping:
		log.Info("shutting down")
		select {
		case err := <-done:
			if err != nil && !errors.Is(err, context.Canceled) {
				return err
			}
		case <-time.After(shutdownTimeout):
			return errors.New("shutdown timed out")
		}
	}
	log.Info("stopped")
	return nil
}

// lateSink lets the WhatsApp driver report to the app that is built after it.
type lateSink struct{ app *app.App }

func (s *lateSink) SetInstanceStatus(ctx context.Context, id string, st domain.InstanceStatus, phone, reason string) error {
	return s.app.SetInstanceStatus(ctx, id, st, phone, reason)
}

func (s *lateSink) SetInstanceQR(ctx context.Context, id, code string, expiresAt time.Time) error {
	return s.app.SetInstanceQR(ctx, id, code, expiresAt)
}

type pingFunc func(context.Context) error

func (f pingFunc) Ping(ctx context.Context) error { return f(ctx) }

type queueJanitor struct {
	conn  *wamqp.ConnectionWrapper
	names rabbitmq.Names
}

func (j queueJanitor) DeleteInstanceQueue(id string) error {
	return rabbitmq.DeleteInstanceQueue(j.conn, j.names, id)
}

// brokerNames names the topology after ZAPGATE_NAMESPACE, or else after the
// namespace the database was given when first migrated.
func brokerNames(ctx context.Context, cfg config.Config, db *sqlx.DB, log *slog.Logger) (rabbitmq.Names, error) {
	ns, source := cfg.Namespace, "ZAPGATE_NAMESPACE"
	if ns == "" {
		stored, err := postgres.Namespace(ctx, db)
		if err != nil {
			return rabbitmq.Names{}, err
		}
		ns, source = stored, "database"
	}
	names, err := rabbitmq.NewNames(ns)
	if err != nil {
		return names, fmt.Errorf("%s: %w", source, err)
	}
	log.Info("rabbitmq namespace", "namespace", ns, "source", source, "events_exchange", names.EventsExchange())
	return names, nil
}

// watchOutboxLag samples the forwarder's backlog into the metrics.
func watchOutboxLag(ctx context.Context, db *sqlx.DB, m *metrics.Metrics, log *slog.Logger) {
	t := time.NewTicker(5 * time.Second)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		pending, age, err := outbox.Lag(ctx, db)
		if err != nil {
			if ctx.Err() == nil {
				log.Warn("outbox lag", "err", err)
			}
			continue
		}
		m.OutboxPending.Set(float64(pending))
		m.OutboxLag.Set(age)
	}
}

// pruneEvents enforces the event log's retention once an hour.
func pruneEvents(ctx context.Context, a *app.App, retention time.Duration, log *slog.Logger) {
	t := time.NewTicker(time.Hour)
	defer t.Stop()
	for {
		n, err := a.PruneEvents(ctx, retention)
		switch {
		case err != nil && ctx.Err() == nil:
			log.Warn("prune event log", "err", err)
		case n > 0:
			log.Info("event log pruned", "deleted", n, "retention", retention.String())
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// servePprof exposes the Go profiler on its own listener, for operators
// chasing a bottleneck (ZAPGATE_PPROF_ADDR, e.g. 127.0.0.1:6060).
func servePprof(ctx context.Context, addr string, log *slog.Logger) error {
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	srv := &http.Server{Addr: addr, Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go func() {
		<-ctx.Done()
		_ = srv.Close()
	}()
	log.Info("pprof listening", "addr", addr)
	if err := srv.ListenAndServe(); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("pprof: %w", err)
	}
	return nil
}

// downloader fetches one instance's attachments through its session.
type downloader struct {
	d  *whatsmeow.Driver
	id string
}

func (dl downloader) Download(ctx context.Context, msg wm.DownloadableMessage) ([]byte, error) {
	return dl.d.Download(ctx, dl.id, msg)
}
