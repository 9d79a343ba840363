package meow

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/lib/pq"
	"go.mau.fi/whatsmeow"
	"go.mau.fi/whatsmeow/store"
	"go.mau.fi/whatsmeow/store/sqlstore"
	"go.mau.fi/whatsmeow/types"
	"go.mau.fi/whatsmeow/types/events"

	"github.com/zapgate/zapgate/app"
	"github.com/zapgate/zapgate/domain"
)

// DeviceStore remembers which WhatsApp device belongs to which instance.
type DeviceStore interface {
	// DeviceJID is the instance's linked device, "" when it has none.
	DeviceJID(ctx context.Context, instanceID string) (string, error)
	// SetDeviceJID links a device to the instance; "" forgets it.
	SetDeviceJID(ctx context.Context, instanceID, jid string) error
}

// Linker records what linking shows: QR codes and link states.
type Linker interface {
	SetInstanceQR(ctx context.Context, id, code string, expiresAt time.Time) error
	SetInstanceStatus(ctx context.Context, id string, s domain.InstanceStatus, phone, reason string) error
}

// EventHandler receives every whatsmeow event of an instance (the
// translator in handlers/whatsapp).
type EventHandler func(ctx context.Context, instanceID string, evt any)

var _ app.WhatsApp = (*Driver)(nil)

// errClosed refuses a Connect after Close: its session would never end.
var errClosed = errors.New("whatsmeow driver closed")

// Driver runs one whatsmeow client per instance this process owns.
type Driver struct {
	container *sqlstore.Container
	devices   DeviceStore
	link      Linker
	log       *slog.Logger

	mu       sync.Mutex
	sessions map[string]*session
	handle   EventHandler
	typing   bool
	closed   bool
}

// session is one instance's client; cancel ends its goroutines (events,
// QR round, reconnect loop).
type session struct {
	client *whatsmeow.Client
	cancel context.CancelFunc
}

// stop ends the session; nil does nothing. Call it without d.mu held: the
// websocket close waits for the server, and event handlers take d.mu.
func (s *session) stop() {
	if s == nil {
		return
	}
	s.cancel()
	s.client.Disconnect()
}

// New opens the whatsmeow store on db (its tables live beside zapgate's).
func New(ctx context.Context, db *sql.DB, devices DeviceStore, link Linker, log *slog.Logger) (*Driver, error) {
	if log == nil {
		log = slog.Default()
	}
	// lib/pq needs its array wrapper for whatsmeow's Postgres queries.
	sqlstore.PostgresArrayWrapper = pq.Array
	c := sqlstore.NewWithDB(db, "postgres", newLogger(log, "whatsmeow-store"))
	if err := c.Upgrade(ctx); err != nil {
		return nil, fmt.Errorf("whatsmeow store: %w", err)
	}
	return &Driver{container: c, devices: devices, link: link, log: log.With("driver", "whatsmeow"), sessions: map[string]*session{}}, nil
}

// ShowTyping makes the contact see "typing…" before each text, for about
// as long as a person would take to type it (at most 3 s).
func (d *Driver) ShowTyping(on bool) {
	d.mu.Lock()
	d.typing = on
	d.mu.Unlock()
}

// typingTime is how long "typing…" shows before a text of n characters.
func typingTime(n int) time.Duration {
	return min(time.Duration(n)*40*time.Millisecond+300*time.Millisecond, 3*time.Second)
}

// OnEvent sets where events go; call it before the first Connect.
func (d *Driver) OnEvent(h EventHandler) {
	d.mu.Lock()
	d.handle = h
	d.mu.Unlock()
}

// Connect starts the instance's session: a linked device reconnects; an
// unlinked one starts a QR round (the QR channel is opened before Connect,
// as whatsmeow requires). A connected session is left as it is.
func (d *Driver) Connect(ctx context.Context, instanceID string) error {
	d.mu.Lock()
	if d.closed {
		d.mu.Unlock()
		return errClosed
	}
	old := d.sessions[instanceID]
	if old != nil && old.client.IsConnected() {
		d.mu.Unlock()
		return nil
	}
	delete(d.sessions, instanceID)
	d.mu.Unlock()
	old.stop()

	dev, err := d.device(ctx, instanceID)
	if err != nil {
		return err
	}
	client := whatsmeow.NewClient(dev, newLogger(d.log.With("instance", instanceID), "client"))
	client.EnableAutoReconnect = true
	// A network failure on the first connect retries in the background, so
	// a linked instance does not stay offline after a bad moment at start-up.
	client.InitialAutoReconnect = true
	// The session outlives the caller's ctx; s.stop cancels it.
	sctx, cancel := context.WithCancel(context.Background())
	s := &session{client: client, cancel: cancel}
	client.AddEventHandler(func(evt any) { d.onEvent(sctx, instanceID, evt) })
	if client.Store.ID == nil {
		d.log.Info("instance not linked yet; starting a QR round", "instance", instanceID)
		qr, err := client.GetQRChannel(sctx)
		if err != nil {
			cancel()
			return fmt.Errorf("qr channel of %s: %w", instanceID, err)
		}
		go d.watchQR(sctx, instanceID, qr)
	}
	if err := client.ConnectContext(sctx); err != nil {
		s.stop()
		return fmt.Errorf("connect %s: %w", instanceID, err)
	}
	d.mu.Lock()
	if d.closed || d.sessions[instanceID] != nil {
		// Close, or a concurrent Connect, came first: this client is surplus.
		d.mu.Unlock()
		s.stop()
		return nil
	}
	d.sessions[instanceID] = s
	d.mu.Unlock()
	return nil
}

// device is the instance's stored device, or a new one to link when it has
// none (or whatsmeow's store lost it).
func (d *Driver) device(ctx context.Context, instanceID string) (*store.Device, error) {
	jid, err := d.devices.DeviceJID(ctx, instanceID)
	if err != nil {
		return nil, fmt.Errorf("device of %s: %w", instanceID, err)
	}
	if jid == "" {
		return d.container.NewDevice(), nil
	}
	parsed, err := types.ParseJID(jid)
	if err == nil && parsed.User == "" {
		// ParseJID takes a bare word as a server name.
		err = errors.New("no user part")
	}
	if err != nil {
		return nil, fmt.Errorf("device %q of %s: %w", jid, instanceID, err)
	}
	dev, err := d.container.GetDevice(ctx, parsed)
	if err != nil {
		return nil, fmt.Errorf("device of %s: %w", instanceID, err)
	}
	if dev == nil {
		d.log.Warn("linked device missing from the whatsmeow store; linking anew", "instance", instanceID, "jid", jid)
		return d.container.NewDevice(), nil
	}
	return dev, nil
}

// watchQR publishes each code of a QR round and ends the round when the
// phone did not scan in time.
// It also ends with ctx: whatsmeow closes qr only once codes were shown.
func (d *Driver) watchQR(ctx context.Context, instanceID string, qr <-chan whatsmeow.QRChannelItem) {
	for {
		var item whatsmeow.QRChannelItem
		select {
		case <-ctx.Done():
			return
		case it, ok := <-qr:
			if !ok {
				return
			}
			item = it
		}
		var err error
		switch item.Event {
		case whatsmeow.QRChannelEventCode:
			err = d.link.SetInstanceQR(ctx, instanceID, item.Code, time.Now().Add(item.Timeout).UTC())
		case whatsmeow.QRChannelTimeout.Event:
			err = d.link.SetInstanceStatus(ctx, instanceID, domain.InstanceDisconnected, "", "the QR round ended before a scan (codes timed out, or the connection to WhatsApp dropped); ask for the QR again")
		case whatsmeow.QRChannelEventError:
			err = d.link.SetInstanceStatus(ctx, instanceID, domain.InstanceDisconnected, "", fmt.Sprintf("pairing failed: %v", item.Error))
		}
		if err != nil && ctx.Err() == nil {
			d.log.Warn("record qr event", "instance", instanceID, "event", item.Event, "err", err)
		}
	}
}

func (d *Driver) onEvent(ctx context.Context, instanceID string, evt any) {
	switch e := evt.(type) {
	case *events.PairSuccess:
		if err := d.devices.SetDeviceJID(ctx, instanceID, e.ID.String()); err != nil {
			d.log.Error("remember linked device", "instance", instanceID, "err", err)
		}
	case *events.LoggedOut:
		// whatsmeow deleted the session; forget the device.
		if err := d.devices.SetDeviceJID(ctx, instanceID, ""); err != nil {
			d.log.Error("forget logged-out device", "instance", instanceID, "err", err)
		}
	}
	d.mu.Lock()
	h := d.handle
	d.mu.Unlock()
	if h != nil {
		h(ctx, instanceID, evt)
	}
}

func (d *Driver) client(instanceID string) *whatsmeow.Client {
	d.mu.Lock()
	defer d.mu.Unlock()
	if s, ok := d.sessions[instanceID]; ok {
		return s.client
	}
	return nil
}

// live is the instance's client when it has a working session: a command
// run without one is retried once it reconnects.
func (d *Driver) live(instanceID, what string) (*whatsmeow.Client, error) {
	c := d.client(instanceID)
	if c == nil || !c.IsConnected() || !c.IsLoggedIn() {
		return nil, fmt.Errorf("%s through %s: %w", what, instanceID, app.ErrNotConnected)
	}
	return c, nil
}

// Send implements app.WhatsApp.
func (d *Driver) Send(ctx context.Context, instanceID string, m app.OutboundMessage) error {
	c := d.client(instanceID)
	if c == nil || !c.IsConnected() || !c.IsLoggedIn() {
		return fmt.Errorf("send %s through %s: %w", m.WAMessageID, instanceID, app.ErrNotConnected)
	}
	to, err := ParseRecipient(m.To)
	if err != nil {
		return fmt.Errorf("send %s: %w", m.WAMessageID, err)
	}
	if _, ok := domain.ParseMessageType(string(m.Type)); !ok {
		// Checked before the upload, which would be wasted.
		return fmt.Errorf("send %s: cannot send a %q message: %w", m.WAMessageID, m.Type, app.ErrPermanent)
	}
	var up *whatsmeow.UploadResponse
	if m.Type.IsMedia() {
		resp, err := c.Upload(ctx, m.Media, MediaTypeFor(m.Type))
		if err != nil {
			return fmt.Errorf("upload %s %s: %w", m.Type, m.WAMessageID, classify(err))
		}
		up = &resp
	}
	msg, err := BuildMessage(withOwnSender(m, ownJID(c)), up)
	if err != nil {
		return fmt.Errorf("send %s: %w", m.WAMessageID, err)
	}
	d.mu.Lock()
	typing := d.typing
	d.mu.Unlock()
	if typing && m.Type == domain.TypeText {
		// Best effort: a presence that fails does not stop the message.
		_ = c.SendChatPresence(ctx, to, types.ChatPresenceComposing, types.ChatPresenceMediaText)
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(typingTime(len([]rune(m.Text)))):
		}
		defer c.SendChatPresence(context.WithoutCancel(ctx), to, types.ChatPresencePaused, types.ChatPresenceMediaText) //nolint:errcheck
	}
	if _, err := c.SendMessage(ctx, to, msg, whatsmeow.SendRequestExtra{ID: types.MessageID(m.WAMessageID)}); err != nil {
		return fmt.Errorf("send %s: %w", m.WAMessageID, classify(err))
	}
	return nil
}

// Download fetches an incoming attachment through the instance's session.
func (d *Driver) Download(ctx context.Context, instanceID string, msg whatsmeow.DownloadableMessage) ([]byte, error) {
	c := d.client(instanceID)
	if c == nil {
		return nil, fmt.Errorf("download through %s: %w", instanceID, app.ErrNotConnected)
	}
	data, err := c.Download(ctx, msg)
	if err != nil {
		return nil, fmt.Errorf("download through %s: %w", instanceID, err)
	}
	return data, nil
}

// Phone is the linked phone number of the instance, "" before pairing.
func (d *Driver) Phone(instanceID string) string {
	if c := d.client(instanceID); c != nil && c.Store.ID != nil {
		return c.Store.ID.User
	}
	return ""
}

// PairPhone implements app.Pairer: a code to type on the phone instead of
// scanning. It works in the process running the instance's session.
func (d *Driver) PairPhone(ctx context.Context, instanceID, phone string) (string, error) {
	c := d.client(instanceID)
	if c == nil || c.Store.ID != nil {
		return "", domain.Conflict("pairing_unavailable",
			"no linking session for this instance in this process yet; ask for the QR first, then retry")
	}
	code, err := c.PairPhone(ctx, phone, true, whatsmeow.PairClientChrome, "Chrome (Linux)")
	if err != nil {
		return "", fmt.Errorf("pair phone: %w", err)
	}
	return code, nil
}

// Logout unlinks the device (whatsmeow deletes its session) and forgets it.
func (d *Driver) Logout(ctx context.Context, instanceID string) error {
	if c := d.client(instanceID); c != nil && c.IsLoggedIn() {
		if err := c.Logout(ctx); err != nil && !errors.Is(err, whatsmeow.ErrNotLoggedIn) {
			return fmt.Errorf("logout: %w", err)
		}
	}
	d.Disconnect(instanceID)
	return d.devices.SetDeviceJID(ctx, instanceID, "")
}

// Disconnect ends this process's session; the link stays.
func (d *Driver) Disconnect(instanceID string) {
	d.mu.Lock()
	s := d.sessions[instanceID]
	delete(d.sessions, instanceID)
	d.mu.Unlock()
	s.stop()
}

// Close disconnects every session and refuses new ones.
func (d *Driver) Close() {
	d.mu.Lock()
	d.closed = true
	all := d.sessions
	d.sessions = map[string]*session{}
	d.mu.Unlock()
	// In parallel: each websocket close waits for the server's reply.
	var wg sync.WaitGroup
	for _, s := range all {
		wg.Go(s.stop)
	}
	wg.Wait()
}
