// Package sim is a simulated WhatsApp network for tests, demos and
// benchmarks. It implements the same port as the whatsmeow driver and keeps
// its state in Postgres (sim_* tables), so every zapgate process sees one
// network and a send costs a database write, as a real send does.
package sim

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"github.com/zapgate/zapgate/app"
	"github.com/zapgate/zapgate/domain"
)

// StatusSink receives the link states the network observes; the app
// implements it, as it does for the whatsmeow driver's events.
type StatusSink interface {
	SetInstanceStatus(ctx context.Context, id string, s domain.InstanceStatus, phone, reason string) error
	SetInstanceQR(ctx context.Context, id, code string, expiresAt time.Time) error
}

// QRLifetime is how long a fake QR code is shown before a new one.
const QRLifetime = 60 * time.Second

// Send error modes set through faults.
const (
	FaultNone      = "none"
	FaultTransient = "transient"
	FaultPermanent = "permanent"
	// FaultRateLimited answers the next send as WhatsApp's error 463 does
	// (a rate limit with no deadline), then clears itself (health.go).
	FaultRateLimited = "rate_limited"
)

// Network is the simulated WhatsApp.
type Network struct {
	db   *sqlx.DB
	sink StatusSink
	log  *slog.Logger

	// reconnects are the pending automatic reconnects after a disconnect fault.
	mu         sync.Mutex
	reconnects map[string]*time.Timer
	closed     bool
}

// New returns a network on db reporting to sink.
func New(db *sqlx.DB, sink StatusSink, log *slog.Logger) *Network {
	return &Network{db: db, sink: sink, log: log, reconnects: map[string]*time.Timer{}}
}

// Connect starts the instance's session: connected when linked, otherwise a
// fresh QR code waits to be scanned.
func (n *Network) Connect(ctx context.Context, instanceID string) error {
	var s struct {
		Linked      bool         `db:"linked"`
		Phone       string       `db:"phone"`
		BannedUntil sql.NullTime `db:"banned_until"`
	}
	err := n.db.GetContext(ctx, &s, `INSERT INTO sim_sessions (instance_id) VALUES ($1)
		ON CONFLICT (instance_id) DO UPDATE SET updated_at = now()
		RETURNING linked, phone, CASE WHEN banned_until > now() THEN banned_until END AS banned_until`, instanceID)
	if err != nil {
		return fmt.Errorf("sim connect: %w", err)
	}
	if s.Linked && s.BannedUntil.Valid {
		// As WhatsApp refuses a banned number's connection (whatsmeow's
		// TemporaryBan on connect).
		return n.announceBan(ctx, instanceID, s.BannedUntil.Time)
	}
	if s.Linked {
		return n.sink.SetInstanceStatus(ctx, instanceID, domain.InstanceConnected, s.Phone, "")
	}
	code := domain.NewSecret("sim-qr@", 24)
	if _, err := n.db.ExecContext(ctx, `UPDATE sim_sessions SET qr_code = $2 WHERE instance_id = $1`, instanceID, code); err != nil {
		return fmt.Errorf("sim connect: %w", err)
	}
	return n.sink.SetInstanceQR(ctx, instanceID, code, time.Now().Add(QRLifetime).UTC())
}

// Disconnect ends the session of this process; the link stays.
func (n *Network) Disconnect(instanceID string) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if t, ok := n.reconnects[instanceID]; ok {
		t.Stop()
		delete(n.reconnects, instanceID)
	}
}

// Close stops pending reconnects.
func (n *Network) Close() {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.closed = true
	for id, t := range n.reconnects {
		t.Stop()
		delete(n.reconnects, id)
	}
}

// Scan links the instance to phone, as if its QR code was scanned.
func (n *Network) Scan(ctx context.Context, instanceID, phone string) error {
	p, ok := domain.NormalizePhone(phone)
	if !ok {
		return domain.InvalidField("phone", domain.PhoneRule)
	}
	if _, err := n.db.ExecContext(ctx, `INSERT INTO sim_sessions (instance_id, linked, phone) VALUES ($1, true, $2)
		ON CONFLICT (instance_id) DO UPDATE SET linked = true, phone = $2, qr_code = '', updated_at = now()`, instanceID, p); err != nil {
		return fmt.Errorf("sim scan: %w", err)
	}
	return n.sink.SetInstanceStatus(ctx, instanceID, domain.InstanceConnected, p, "")
}

// Send implements app.WhatsApp: the happy path is one INSERT. Like
// WhatsApp, it refuses for good a send to someone the instance blocked.
func (n *Network) Send(ctx context.Context, instanceID string, m app.OutboundMessage) error {
	to, ok := domain.ParseAddress(m.To)
	if !ok {
		// As WhatsApp would: no such chat.
		return fmt.Errorf("sim: recipient %q %s: %w", m.To, domain.AddressRule, app.ErrPermanent)
	}
	mentions := pq.StringArray(m.Mentions)
	if mentions == nil {
		mentions = pq.StringArray{}
	}
	location, contacts, poll := sentKinds(m)
	ref := refsOf(m)
	var seq int64
	err := n.db.QueryRowContext(ctx, `INSERT INTO sim_sent
		(instance_id, to_phone, chat, type, body, caption, mime, filename, sha256, wa_message_id, mentions, location, contacts, poll, ptt,
		 kind, reply_to_wa_message_id, emoji, target_wa_message_id)
		SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19 FROM sim_sessions
		WHERE instance_id = $1 AND linked AND send_error = 'none' AND (banned_until IS NULL OR banned_until <= now())
		AND NOT EXISTS (SELECT 1 FROM sim_blocks WHERE instance_id = $1 AND jid = $3)
		RETURNING seq`, instanceID, m.To, to.JID(), string(m.Type), m.Text, m.Caption, m.Mime, m.Filename, m.SHA256, m.WAMessageID,
		mentions, location, contacts, poll, m.PTT, ref.kind, ref.replyTo, ref.emoji, ref.target).Scan(&seq)
	if err == nil {
		return nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("sim send: %w", err)
	}
	var s struct {
		Linked      bool         `db:"linked"`
		SendError   string       `db:"send_error"`
		Blocked     bool         `db:"blocked"`
		BannedUntil sql.NullTime `db:"banned_until"`
	}
	if err := n.db.GetContext(ctx, &s, `SELECT linked, send_error,
		CASE WHEN banned_until > now() THEN banned_until END AS banned_until,
		EXISTS (SELECT 1 FROM sim_blocks WHERE instance_id = $1 AND jid = $2) AS blocked
		FROM sim_sessions WHERE instance_id = $1`, instanceID, to.JID()); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return app.ErrNotConnected
		}
		return fmt.Errorf("sim send: %w", err)
	}
	switch {
	case !s.Linked:
		return app.ErrNotConnected
	case s.BannedUntil.Valid:
		return &app.RateLimit{State: domain.HealthBanned, Reason: domain.ReasonTemporaryBan, Until: s.BannedUntil.Time.UTC(),
			Err: errors.New("sim: temporarily banned")}
	case s.Blocked:
		return fmt.Errorf("sim: blocked contact: %w", app.ErrPermanent)
	case s.SendError == FaultRateLimited:
		return n.rateLimited(ctx, instanceID)
	case s.SendError == FaultPermanent:
		return fmt.Errorf("sim: recipient rejected the message: %w", app.ErrPermanent)
	default:
		return errors.New("sim: transient send failure")
	}
}

// SetFaults changes how sends fail; disconnect drops the connection, which
// comes back by itself a moment later; banSeconds > 0 bans the number for
// that long (health.go).
func (n *Network) SetFaults(ctx context.Context, instanceID, sendError string, disconnect bool, banSeconds int) error {
	switch sendError {
	case "", FaultNone, FaultTransient, FaultPermanent, FaultRateLimited:
	default:
		return domain.InvalidField("send_error", "must be none, transient, permanent or rate_limited")
	}
	if banSeconds < 0 || banSeconds > maxBanSeconds {
		return domain.InvalidField("ban_seconds", "must be from 0 to 86400")
	}
	if sendError != "" {
		if _, err := n.db.ExecContext(ctx, `INSERT INTO sim_sessions (instance_id, send_error) VALUES ($1, $2)
			ON CONFLICT (instance_id) DO UPDATE SET send_error = $2, updated_at = now()`, instanceID, sendError); err != nil {
			return fmt.Errorf("sim faults: %w", err)
		}
	}
	if banSeconds > 0 {
		return n.ban(ctx, instanceID, banSeconds)
	}
	if !disconnect {
		return nil
	}
	if err := n.sink.SetInstanceStatus(ctx, instanceID, domain.InstanceDisconnected, "", "sim: connection dropped"); err != nil {
		return err
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.closed {
		return nil
	}
	if t, ok := n.reconnects[instanceID]; ok {
		t.Stop()
	}
	n.reconnects[instanceID] = time.AfterFunc(time.Second, func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := n.Connect(ctx, instanceID); err != nil {
			n.log.Warn("sim reconnect failed", "instance", instanceID, "err", err)
		}
		n.mu.Lock()
		delete(n.reconnects, instanceID)
		n.mu.Unlock()
	})
	return nil
}

// SentItem is one send the network accepted.
type SentItem struct {
	Seq         int64          `db:"seq" json:"-"`
	To          string         `db:"to_phone" json:"to"`
	Chat        string         `db:"chat" json:"chat"` // the JID the send went to
	Type        string         `db:"type" json:"type"`
	Text        string         `db:"body" json:"text"`
	Caption     string         `db:"caption" json:"caption"`
	Mime        string         `db:"mime" json:"mime"`
	Filename    string         `db:"filename" json:"filename"`
	SHA256      string         `db:"sha256" json:"sha256"`
	WAMessageID string         `db:"wa_message_id" json:"wa_message_id"`
	Mentions    pq.StringArray `db:"mentions" json:"mentions"`
	Location    sentJSON       `db:"location" json:"location"`
	Contacts    sentJSON       `db:"contacts" json:"contacts"`
	Poll        sentJSON       `db:"poll" json:"poll"`
	At          time.Time      `db:"at" json:"at"`
	// Kind is message, reaction, edit, revoke, read (a read receipt:
	// MessageIDs, the first in TargetWAMessageID) or presence (State); the
	// others name the message a send quotes or points at, and a reaction's
	// emoji.
	Kind              string   `db:"kind" json:"kind"`
	PTT               bool     `db:"ptt" json:"ptt"`
	State             string   `db:"state" json:"state"`
	TargetWAMessageID string   `db:"target_wa_message_id" json:"target_wa_message_id"`
	MessageIDs        jsonList `db:"message_ids" json:"message_ids"`
	ReplyToWAID       string   `db:"reply_to_wa_message_id" json:"reply_to_wa_message_id"`
	Emoji             string   `db:"emoji" json:"emoji"`
}

// Sent lists what the instance sent, oldest first; after is the last Seq of
// the previous page.
func (n *Network) Sent(ctx context.Context, instanceID string, limit int, after int64) ([]SentItem, error) {
	items := []SentItem{}
	if err := n.db.SelectContext(ctx, &items, `SELECT seq, to_phone, chat, type, body, caption, mime, filename, sha256, wa_message_id, mentions, location, contacts, poll, at,
		kind, ptt, state, target_wa_message_id, message_ids, reply_to_wa_message_id, emoji
		FROM sim_sent WHERE instance_id = $1 AND seq > $2 ORDER BY seq LIMIT $3`, instanceID, after, limit); err != nil {
		return nil, fmt.Errorf("sim sent: %w", err)
	}
	for i := range items {
		items[i].At = items[i].At.UTC()
	}
	return items, nil
}

// Stats sums up the whole network.
type Stats struct {
	Sent      int64 `db:"sent" json:"sent"`
	Distinct  int64 `db:"distinct" json:"distinct"`
	Instances int64 `db:"instances" json:"instances"`
}

// Stats counts sends, distinct message ids and linked instances; read
// receipts and presence are not messages and are not counted.
func (n *Network) Stats(ctx context.Context) (Stats, error) {
	var s Stats
	err := n.db.GetContext(ctx, &s, `SELECT
		(SELECT count(*) FROM sim_sent WHERE kind NOT IN ('read', 'presence')) AS sent,
		(SELECT count(*) FROM (SELECT DISTINCT instance_id, wa_message_id FROM sim_sent
			WHERE kind NOT IN ('read', 'presence')) d) AS "distinct",
		(SELECT count(*) FROM sim_sessions WHERE linked) AS instances`)
	if err != nil {
		return s, fmt.Errorf("sim stats: %w", err)
	}
	return s, nil
}

// Logout unlinks the instance from its phone.
func (n *Network) Logout(ctx context.Context, instanceID string) error {
	n.Disconnect(instanceID)
	if _, err := n.db.ExecContext(ctx, `UPDATE sim_sessions SET linked = false, phone = '', qr_code = '', updated_at = now()
		WHERE instance_id = $1`, instanceID); err != nil {
		return fmt.Errorf("sim logout: %w", err)
	}
	return nil
}

// PairPhone returns a fake pairing code, as WhatsApp does for "link with
// phone number"; entering it is simulated by Scan.
func (n *Network) PairPhone(ctx context.Context, instanceID, phone string) (string, error) {
	if _, ok := domain.NormalizePhone(phone); !ok {
		return "", domain.InvalidField("phone", domain.PhoneRule)
	}
	code := strings.ToUpper(domain.NewSecret("", 6))
	code = strings.NewReplacer("-", "X", "_", "Y").Replace(code)
	return code[:4] + "-" + code[4:8], nil
}

// Accepted implements app.SendChecker: whether the network already holds a
// send with this id.
func (n *Network) Accepted(ctx context.Context, instanceID, waMessageID string) (bool, error) {
	var ok bool
	err := n.db.GetContext(ctx, &ok, `SELECT EXISTS (SELECT 1 FROM sim_sent WHERE instance_id = $1 AND wa_message_id = $2)`, instanceID, waMessageID)
	if err != nil {
		return false, fmt.Errorf("sim accepted: %w", err)
	}
	return ok, nil
}

// AddContact sets what contacts/check answers for phone, and the URL of
// their profile picture ("" = hidden).
func (n *Network) AddContact(ctx context.Context, phone, lid, name string, business, onWhatsApp bool, pictureURL string) error {
	if _, err := n.db.ExecContext(ctx, `INSERT INTO sim_contacts (phone, lid, name, business, on_whatsapp, picture_url)
		VALUES ($1, $2, $3, $4, $5, $6)
		ON CONFLICT (phone) DO UPDATE SET lid = $2, name = $3, business = $4, on_whatsapp = $5, picture_url = $6`,
		phone, lid, name, business, onWhatsApp, pictureURL); err != nil {
		return fmt.Errorf("sim add contact: %w", err)
	}
	return nil
}

// CheckContacts implements app.ContactChecker from sim_contacts: a phone
// that was never added is not on WhatsApp. Like a send, it needs a linked
// session.
func (n *Network) CheckContacts(ctx context.Context, instanceID string, phones []string) ([]app.ContactCheck, error) {
	if err := n.linked(ctx, instanceID); err != nil {
		return nil, fmt.Errorf("sim check contacts: %w", err)
	}
	var rows []struct {
		Phone      string `db:"phone"`
		LID        string `db:"lid"`
		Business   bool   `db:"business"`
		OnWhatsApp bool   `db:"on_whatsapp"`
	}
	if err := n.db.SelectContext(ctx, &rows, `SELECT phone, lid, business, on_whatsapp FROM sim_contacts
		WHERE phone = ANY($1)`, pq.Array(phones)); err != nil {
		return nil, fmt.Errorf("sim check contacts: %w", err)
	}
	out := make([]app.ContactCheck, 0, len(rows))
	for _, r := range rows {
		if !r.OnWhatsApp {
			continue
		}
		c := app.ContactCheck{Phone: r.Phone, OnWhatsApp: true, JID: r.Phone + "@s.whatsapp.net", LID: r.LID, Business: r.Business}
		if c.LID != "" && !strings.Contains(c.LID, "@") {
			c.LID += "@lid"
		}
		out = append(out, c)
	}
	return out, nil
}

// linked is nil when the instance has a linked session, ErrNotConnected
// when it has none.
func (n *Network) linked(ctx context.Context, instanceID string) error {
	var linked bool
	err := n.db.GetContext(ctx, &linked, `SELECT linked FROM sim_sessions WHERE instance_id = $1`, instanceID)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && !linked) {
		return app.ErrNotConnected
	}
	return err
}

var _ app.ContactChecker = (*Network)(nil)
