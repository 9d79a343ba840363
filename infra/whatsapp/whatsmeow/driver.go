package whatsmeow

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
	"go.mau.fi/whatsmeow/store/sqlstore"
	"go.mau.fi/whatsmeow/types"
	"go.mau.fi/whatsmeow/types/events"

	"github.com/zapgate/zapgate/app"
	"github.com/zapgate/zapgate/domain"
)

// DeviceStore remembers which WhatsApp device belongs to which instance.
type DeviceStore interface {
	DeviceJID(ctx context.Context, instanceID string) (string, error)
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
}

type session struct {
	client *whatsmeow.Client
	cancel context.CancelFunc
}

// New opens the whatsmeow store on db (its tables live beside zapgate's).
func New(ctx context.Context, db *sql.DB, devices DeviceStore, link Linker, log *slog.Logger) (*Driver, error) {
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
// as whatsmeow requires).
func (d *Driver) Connect(ctx context.Context, instanceID string) error {
	d.mu.Lock()
	if s, ok := d.sessions[instanceID]; ok {
		if s.client.IsConnected() {
			d.mu.Unlock()
			return nil
		}
		d.stopLocked(instanceID)
	}
	d.mu.Unlock()

	jid, err := d.devices.DeviceJID(ctx, instanceID)
	if err != nil {
		return err
	}
	dev := d.container.NewDevice()
	if jid != "" {
		parsed, err := types.ParseJID(jid)
		if err != nil {
			return fmt.Errorf("device of %s: %w", instanceID, err)
		}
		stored, err := d.container.GetDevice(ctx, parsed)
		if err != nil {
			return fmt.Errorf("device of %s: %w", instanceID, err)
		}
		if stored != nil {
			dev = stored
		}
	}
	client := whatsmeow.NewClient(dev, newLogger(d.log, "client"))
	client.EnableAutoReconnect = true
	sctx, cancel := context.WithCancel(context.Background())
	client.AddEventHandler(func(evt any) { d.onEvent(sctx, instanceID, evt) })
	if client.Store.ID == nil {
		qr, err := client.GetQRChannel(sctx)
		if err != nil {
			cancel()
			return fmt.Errorf("qr channel of %s: %w", instanceID, err)
		}
		go d.watchQR(sctx, instanceID, qr)
	}
	if err := client.Connect(); err != nil {
		cancel()
		return fmt.Errorf("connect %s: %w", instanceID, err)
	}
	d.mu.Lock()
	d.sessions[instanceID] = &session{client: client, cancel: cancel}
	d.mu.Unlock()
	return nil
}

// watchQR publishes each code of a QR round and ends the round when the
// phone did not scan in time.
func (d *Driver) watchQR(ctx context.Context, instanceID string, qr <-chan whatsmeow.QRChannelItem) {
	for item := range qr {
		var err error
		switch item.Event {
		case whatsmeow.QRChannelEventCode:
			err = d.link.SetInstanceQR(ctx, instanceID, item.Code, time.Now().Add(item.Timeout).UTC())
		case whatsmeow.QRChannelTimeout.Event:
			err = d.link.SetInstanceStatus(ctx, instanceID, domain.InstanceDisconnected, "", "the QR code was not scanned in time; ask for the QR again")
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

// Send implements app.WhatsApp.
func (d *Driver) Send(ctx context.Context, instanceID string, m app.OutboundMessage) error {
	c := d.client(instanceID)
	if c == nil || !c.IsConnected() || !c.IsLoggedIn() {
		return app.ErrNotConnected
	}
	to, err := ParseRecipient(m.To)
	if err != nil {
		return err
	}
	var up *whatsmeow.UploadResponse
	if m.Type.IsMedia() {
		resp, err := c.Upload(ctx, m.Media, MediaTypeFor(m.Type))
		if err != nil {
			return fmt.Errorf("upload: %w", classify(err))
		}
		up = &resp
	}
	msg, err := BuildMessage(m, up)
	if err != nil {
		return err
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
		return fmt.Errorf("send: %w", classify(err))
	}
	return nil
}

// Download fetches an incoming attachment through the instance's session.
func (d *Driver) Download(ctx context.Context, instanceID string, msg whatsmeow.DownloadableMessage) ([]byte, error) {
	c := d.client(instanceID)
	if c == nil {
		return nil, app.ErrNotConnected
	}
	return c.Download(ctx, msg)
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
	defer d.mu.Unlock()
	d.stopLocked(instanceID)
}

func (d *Driver) stopLocked(instanceID string) {
	if s, ok := d.sessions[instanceID]; ok {
		s.cancel()
		s.client.Disconnect()
		delete(d.sessions, instanceID)
	}
}

// Close disconnects every session.
func (d *Driver) Close() {
	d.mu.Lock()
	defer d.mu.Unlock()
	for id := range d.sessions {
		d.stopLocked(id)
	}
}
