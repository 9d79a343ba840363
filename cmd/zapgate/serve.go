package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/pprof"
	"os/exec"
	"time"

	"github.com/ThreeDotsLabs/watermill"
	wamqp "github.com/ThreeDotsLabs/watermill-amqp/v2/pkg/amqp"
	"github.com/jmoiron/sqlx"
	"go.mau.fi/whatsmeow"
	"go.mau.fi/whatsmeow/proto/waE2E"
	"go.mau.fi/whatsmeow/types"
	"go.mau.fi/whatsmeow/types/events"
	"golang.org/x/sync/errgroup"

	"github.com/zapgate/zapgate/app"
	"github.com/zapgate/zapgate/domain"
	"github.com/zapgate/zapgate/handlers/api"
	"github.com/zapgate/zapgate/handlers/messaging"
	"github.com/zapgate/zapgate/handlers/whatsapp"
	"github.com/zapgate/zapgate/handlers/ws"
	"github.com/zapgate/zapgate/infra/config"
	"github.com/zapgate/zapgate/infra/ffmpeg"
	"github.com/zapgate/zapgate/infra/metrics"
	"github.com/zapgate/zapgate/infra/outbox"
	"github.com/zapgate/zapgate/infra/postgres"
	"github.com/zapgate/zapgate/infra/qr"
	"github.com/zapgate/zapgate/infra/rabbitmq"
	"github.com/zapgate/zapgate/infra/storage"
	"github.com/zapgate/zapgate/infra/webhook"
	"github.com/zapgate/zapgate/infra/whatsapp/meow"
	"github.com/zapgate/zapgate/infra/whatsapp/sim"
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

	// Postgres, RabbitMQ and media storage.
	db, err := postgres.Open(ctx, cfg.DatabaseURL, connectAttempts, log)
	if err != nil {
		return err
	}
	defer db.Close()
	db.SetMaxOpenConns(cfg.DBMaxConns)
	db.SetMaxIdleConns(cfg.DBMaxConns / 2)
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

	// The WhatsApp driver reports to the app, which is built after it.
	sink := &lateSink{}
	wa, err := openWhatsApp(ctx, cfg, db, sink, log)
	if err != nil {
		return err
	}
	defer wa.close()

	// The app and what every role shares.
	store := postgres.NewStore(db, log)
	notices := postgres.NewCommandNotices(cfg.DatabaseURL, log)
	sender := webhook.NewSender(cfg.WebhookDenyPrivate, cfg.WebhookTimeout)
	voice := ffmpeg.New(exec.LookPath)
	if !voice.Installed() {
		log.Info("ffmpeg is not on PATH: voice notes are taken only as OGG/Opus")
	}
	// Sends are written in batches, one transaction for those that arrive
	// together (app/accept_messages.go).
	committer := app.NewCommitter(store, app.DefaultAcceptBatch, log)
	a := app.New(app.Deps{AdminToken: cfg.AdminToken, Store: store, SendHooks: store, Webhooks: store, URLGuard: sender,
		Attendances: store, Contacts: store, Groups: store, GroupMembers: store, Attendants: store, Feedback: store, Tools: store, Reports: store, Teams: store, Presence: store, CheckBudget: store, PublicURL: cfg.PublicURL,
		EventLog: postgres.NewEventLog(store), Replays: store, Storage: media, WhatsApp: wa.driver, QR: qr.Renderer{}, Log: log,
		CommandNotices: notices, CommandTimeout: cfg.CommandTimeout, SLAFloor: cfg.SLAMin,
		MediaFetcher: webhook.NewFetcher(cfg.WebhookDenyPrivate, cfg.MediaFetchTimeout), VoiceConverter: voice,
		Holds: store, Sending: app.SendingDefaults{NewContactsPerDay: cfg.NewContactsPerDay, WarmupDays: cfg.WarmupDays},
		Committer: committer})
	sink.app = a
	m := metrics.New()
	m.CountInstances(store.InstanceCounts)
	wa.translateEvents(a, m, log)
	sys := &system{cfg: cfg, log: log, wlog: watermill.NewSlogLogger(log), db: db, conn: conn, names: names,
		app: a, metrics: m, wa: wa, sender: sender, notices: notices}

	// The roles, under one context: a signal or a failing role stops them all.
	r := newRoles(ctx)
	defer r.stop()
	// Every role may send (the API, send hooks, attendance greetings).
	r.run(committer.Run)
	starts := []struct {
		on    bool
		start func(roles) error
	}{
		{cfg.Roles[config.RoleForwarder], sys.startForwarders},
		{cfg.Roles[config.RoleBot], sys.startBot},
		{cfg.Roles[config.RoleNotifier], sys.startNotifier},
		{cfg.Roles[config.RoleScheduler], sys.startScheduler},
		{cfg.Roles[config.RoleAPI], sys.startAPI},
		{cfg.PprofAddr != "", sys.startPprof},
	}
	for _, s := range starts {
		if !s.on {
			continue
		}
		if err := s.start(r); err != nil {
			return r.abort(err)
		}
	}
	return r.wait(ctx, log)
}

// roles runs the goroutines of every role in one errgroup under one
// context, which ends when the signal context ends or a role fails.
type roles struct {
	ctx  context.Context
	g    *errgroup.Group
	stop func()
}

func newRoles(signal context.Context) roles {
	// The roles outlive the signal until r.ctx ends, so in-flight work is
	// stopped by each role's own shutdown, not by a cancelled parent.
	g, gctx := errgroup.WithContext(context.WithoutCancel(signal))
	ctx, cancel := context.WithCancel(gctx)
	unhook := context.AfterFunc(signal, cancel)
	return roles{ctx: ctx, g: g, stop: func() { unhook(); cancel() }}
}

// run starts f as part of the roles; f must return once ctx ends.
func (r roles) run(f func(ctx context.Context) error) {
	r.g.Go(func() error { return f(r.ctx) })
}

// abort stops the roles started so far, waits for them and returns err.
func (r roles) abort(err error) error {
	r.stop()
	_ = r.g.Wait()
	return err
}

// wait returns when the roles are done: at once if one fails on its own,
// else within shutdownTimeout of the stop.
func (r roles) wait(signal context.Context, log *slog.Logger) error {
	done := make(chan error, 1)
	go func() { done <- r.g.Wait() }()
	select {
	case err := <-done:
		if err != nil && signal.Err() == nil {
			return err
		}
	case <-r.ctx.Done():
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

// system is what the roles are built from.
type system struct {
	cfg     config.Config
	log     *slog.Logger
	wlog    watermill.LoggerAdapter
	db      *sqlx.DB
	conn    *wamqp.ConnectionWrapper
	names   rabbitmq.Names
	app     *app.App
	metrics *metrics.Metrics
	wa      *whatsApp
	sender  *webhook.Sender
	notices *postgres.CommandNotices
}

// startForwarders forwards each outbox to RabbitMQ and watches its lag.
func (s *system) startForwarders(r roles) error {
	// The forwarders wait for the outbox's notifications (one listening
	// connection for both) rather than polling an idle outbox every 20 ms;
	// they still look once a second in case one was missed.
	var channels []string
	for _, topic := range outbox.Topics {
		channels = append(channels, outbox.Channel(topic))
	}
	wakeups := postgres.NewWakeups(s.cfg.DatabaseURL, s.log, channels...)
	r.run(wakeups.Run)
	for _, topic := range outbox.Topics {
		pub := rabbitmq.NewPipelinedPublisher(s.conn, s.names)
		forwarded := s.metrics.ForwardDuration.WithLabelValues(topic)
		wake, _ := wakeups.Subscribe(outbox.Channel(topic)) // for the process's life
		poll := outbox.Polling{Wake: wake, Interval: 20 * time.Millisecond, Hot: time.Second, Fallback: time.Second}
		fwd, err := outbox.NewForwarder(s.db.DB, topic, pub, poll,
			func(d time.Duration) { forwarded.Observe(d.Seconds()) }, s.wlog)
		if err != nil {
			_ = pub.Close()
			return err
		}
		r.run(func(ctx context.Context) error {
			defer pub.Close()
			return fwd.Run(ctx)
		})
	}
	r.run(func(ctx context.Context) error { watchOutboxLag(ctx, s.db, s.metrics, s.log); return nil })
	r.run(func(ctx context.Context) error { pruneEvents(ctx, s.app, s.cfg.EventRetention, s.log); return nil })
	return nil
}

// startBot sends the commands of the instances whose lease it holds.
func (s *system) startBot(r roles) error {
	// 64 commands in hand per instance make a batch (the bot takes up to
	// 64); settling waits past the 30 s a begun send may take to be
	// recorded.
	sub := rabbitmq.NewCommandSubscriber(s.conn, s.names, 64, 35*time.Second, s.log)
	poison, err := rabbitmq.NewPoisonPublisher(s.conn, s.names, s.wlog)
	if err != nil {
		return err
	}
	leases := postgres.NewLeases(s.db, "bot-"+domain.NewID(time.Now()), 15*time.Second)
	// A quick tick links a new instance soon after it is created; a tick
	// is one cheap read, leases are renewed less often.
	bot := messaging.NewBot(s.app, s.wa.driver, sub, queueJanitor{s.conn, s.names}, leases, poison, s.metrics,
		250*time.Millisecond, s.cfg.SendRate, s.log)
	r.run(bot.Run)
	return nil
}

// startNotifier delivers events to webhooks and to the attendance flow.
func (s *system) startNotifier(r roles) error {
	// Both consumer groups take up to 64 events at a time.
	sub := rabbitmq.NewEventSubscriber(s.conn, s.names, 64, 10*time.Second, s.log)
	r.run(messaging.NewWebhooks(s.app, sub, s.sender, s.metrics, 32, 4, s.log).Run)
	r.run(messaging.NewAttendance(s.app, sub, s.log).Run)
	return nil
}

// routeSweep is how often waiting attendances are routed as a safety net.
const routeSweep = 5 * time.Second

// slaSweep is how often late first replies are looked for: well within
// the 5 s the contract allows after a deadline.
const slaSweep = time.Second

// startScheduler fires scheduled messages, closes idle attendances and
// runs replays.
func (s *system) startScheduler(r roles) error {
	r.run(messaging.NewScheduler(s.app, 500*time.Millisecond, s.log).Run)
	r.run(messaging.NewCloser(s.app, s.cfg.AttendanceIdle, s.cfg.AttendanceSweep, s.log).Run)
	r.run(messaging.NewReplayer(s.app, 500*time.Millisecond, app.ReplayBatch, s.log).Run)
	r.run(messaging.NewRouter(s.app, routeSweep, s.log).Run)
	r.run(messaging.NewSLAWatcher(s.app, slaSweep, s.log).Run)
	// A tenth of the timeout: a command fails soon after it is due to.
	r.run(messaging.NewCommandSweeper(s.app, max(s.cfg.CommandTimeout/10, 100*time.Millisecond), s.log).Run)
	return nil
}

// startAPI serves HTTP and the websocket feed; on stop, in-flight requests
// get shutdownTimeout to finish.
func (s *system) startAPI(r roles) error {
	opts := api.Options{PublicURL: s.cfg.PublicURL, Ready: map[string]api.Pinger{
		"postgres": pingFunc(s.db.PingContext),
		"rabbitmq": pingFunc(func(context.Context) error {
			if !s.conn.IsConnected() {
				return errors.New("not connected")
			}
			return nil
		}),
	}}
	if s.wa.network != nil {
		opts.Sim = simControl{s.wa.network}
	}
	hub := ws.NewHub(s.log)
	sub, err := wamqp.NewSubscriberWithConnection(rabbitmq.TransientEventsSubscriberConfig(s.cfg.AMQPURL, s.names, 256), s.wlog, s.conn)
	if err != nil {
		return fmt.Errorf("websocket subscriber: %w", err)
	}
	r.run(func(ctx context.Context) error { return hub.Run(ctx, sub, "ws."+domain.NewID(time.Now())) })
	opts.Hub, opts.Context = hub, r.ctx
	// Wakes requests that wait for a command (?wait=true).
	r.run(s.notices.Run)
	srv := api.New(s.app, s.metrics, opts, s.log)
	r.run(srv.KeepPresence)
	r.run(func(context.Context) error {
		s.log.Info("listening", "addr", s.cfg.HTTPAddr)
		if err := srv.Listen(s.cfg.HTTPAddr); err != nil {
			return fmt.Errorf("http: %w", err)
		}
		return nil
	})
	r.run(func(ctx context.Context) error {
		<-ctx.Done()
		sctx, scancel := context.WithTimeout(context.Background(), shutdownTimeout)
		defer scancel()
		return srv.Shutdown(sctx)
	})
	return nil
}

// startPprof exposes the Go profiler (ZAPGATE_PPROF_ADDR).
func (s *system) startPprof(r roles) error {
	r.run(func(ctx context.Context) error { return servePprof(ctx, s.cfg.PprofAddr, s.log) })
	return nil
}

// whatsApp is the WhatsApp driver in use: the sim's network or whatsmeow.
type whatsApp struct {
	driver
	network *sim.Network // with the sim driver, for its control routes
	wmd     *meow.Driver // with the real one, whose events are translated
	closers []func()
}

func openWhatsApp(ctx context.Context, cfg config.Config, db *sqlx.DB, sink *lateSink, log *slog.Logger) (*whatsApp, error) {
	wa := &whatsApp{}
	switch cfg.WhatsAppDriver {
	case "sim":
		// The sim stands in for WhatsApp's servers, so its writes need not
		// wait for the disk as zapgate's own do.
		simDB, err := postgres.Open(ctx, postgres.WithParam(cfg.DatabaseURL, "synchronous_commit", "off"), connectAttempts, log)
		if err != nil {
			return nil, err
		}
		simDB.SetMaxOpenConns(8)
		wa.network = sim.New(simDB, sink, log)
		wa.driver = wa.network
		wa.closers = []func(){wa.network.Close, func() { _ = simDB.Close() }}
	default:
		wmd, err := meow.New(ctx, db.DB, postgres.NewDevices(db), sink, log)
		if err != nil {
			return nil, err
		}
		wmd.ShowTyping(cfg.TypingPresence)
		wa.wmd, wa.driver = wmd, wmd
		wa.closers = []func(){wmd.Close}
	}
	return wa, nil
}

// translateEvents hands whatsmeow's events to the app; the sim reports to
// the app directly.
func (wa *whatsApp) translateEvents(a *app.App, m *metrics.Metrics, log *slog.Logger) {
	wmd := wa.wmd
	if wmd == nil {
		return
	}
	wmd.OnEvent(func(ctx context.Context, instanceID string, evt any) {
		tr := whatsapp.Translator{InstanceID: instanceID, Sink: a, Changes: a, Log: log,
			Download: downloader{wmd, instanceID},
			Phone:    func() string { return wmd.Phone(instanceID) },
			Alarm:    func(kind string) { m.WhatsAppAlarms.WithLabelValues(kind).Inc() },
			PhoneForLID: func(ctx context.Context, lid types.JID) (types.JID, error) {
				return wmd.PhoneForLID(ctx, instanceID, lid)
			},
			Self: func() (types.JID, types.JID) { return wmd.Self(instanceID) },
			DecryptPollVote: func(ctx context.Context, evt *events.Message) (*waE2E.PollVoteMessage, error) {
				return wmd.DecryptPollVote(ctx, instanceID, evt)
			},
			Votes:        a,
			Health:       a,
			Contacts:     a,
			Groups:       a,
			ConvertGroup: meow.ConvertGroup,
		}
		if err := tr.Handle(ctx, evt); err != nil && ctx.Err() == nil {
			log.Warn("whatsapp event", "instance", instanceID, "event", fmt.Sprintf("%T", evt), "err", err)
		}
	})
}

// close closes the driver, then what it was built on.
func (wa *whatsApp) close() {
	for _, c := range wa.closers {
		c()
	}
}

// lateSink lets the WhatsApp driver report to the app that is built after it.
type lateSink struct{ app *app.App }

func (s *lateSink) SetInstanceStatus(ctx context.Context, id string, st domain.InstanceStatus, phone, reason string) error {
	return s.app.SetInstanceStatus(ctx, id, st, phone, reason)
}

func (s *lateSink) SetInstanceQR(ctx context.Context, id, code string, expiresAt time.Time) error {
	return s.app.SetInstanceQR(ctx, id, code, expiresAt)
}

// The group news the sim gives member instances, as whatsmeow's group
// events are translated into the same calls.

func (s *lateSink) GroupJoined(ctx context.Context, instanceID string, g app.GroupInfo) error {
	return s.app.GroupJoined(ctx, instanceID, g)
}

func (s *lateSink) GroupChanged(ctx context.Context, instanceID, jid string, change app.GroupChange, by string) error {
	return s.app.GroupChanged(ctx, instanceID, jid, change, by)
}

func (s *lateSink) GroupParticipantsChanged(ctx context.Context, instanceID, jid, action string, participants []string, by string) error {
	return s.app.GroupParticipantsChanged(ctx, instanceID, jid, action, participants, by)
}

func (s *lateSink) GroupLeft(ctx context.Context, instanceID, jid string) error {
	return s.app.GroupLeft(ctx, instanceID, jid)
}

// PauseInstance hears of the sim's temporary bans.
func (s *lateSink) PauseInstance(ctx context.Context, id string, rl app.RateLimit) (domain.Health, error) {
	return s.app.PauseInstance(ctx, id, rl)
}

var (
	_ sim.GroupSink  = (*lateSink)(nil)
	_ sim.HealthSink = (*lateSink)(nil)
)

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
	d  *meow.Driver
	id string
}

func (dl downloader) Download(ctx context.Context, msg whatsmeow.DownloadableMessage) ([]byte, error) {
	return dl.d.Download(ctx, dl.id, msg)
}
