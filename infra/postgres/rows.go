package postgres

import (
	"database/sql"
	"database/sql/driver"
	"fmt"
	"time"

	"github.com/lib/pq"

	"github.com/zapgate/zapgate/domain"
)

// instanceRow and messageRow are the table shapes; converters below keep
// the domain free of sql types.
type instanceRow struct {
	ID                string        `db:"id"`
	Name              string        `db:"name"`
	Status            string        `db:"status"`
	Phone             string        `db:"phone"`
	StatusReason      string        `db:"status_reason"`
	TokenHash         []byte        `db:"token_hash"`
	SendRatePerMinute sql.NullInt32 `db:"send_rate_per_minute"`
	QRCode            string        `db:"qr_code"`
	QRExpiresAt       sql.NullTime  `db:"qr_expires_at"`
	WAJID             string        `db:"wa_jid"`
	CreatedAt         time.Time     `db:"created_at"`
	UpdatedAt         time.Time     `db:"updated_at"`
	ClosingMessage    string        `db:"closing_message"`
	FeedbackUnanswer  bool          `db:"feedback_when_unanswered"`
	// Business hours (0027_business_hours.sql).
	GreetingMessage string   `db:"greeting_message"`
	AwayMessage     string   `db:"away_message"`
	BusinessHours   nullJSON `db:"business_hours"`
	SLAMillis       int64    `db:"first_response_sla_ms"`
	AttendGroups    bool     `db:"attend_groups"`
	// Account health (0030_instance_health.sql), written by SetInstanceHealth.
	HealthState  string       `db:"health_state"`
	HealthReason string       `db:"health_reason"`
	HealthUntil  sql.NullTime `db:"health_until"`
	// Sending safely (0031_new_contacts.sql).
	NewContactsPerDay int          `db:"new_contacts_per_day"`
	WarmupDays        int          `db:"warmup_days"`
	LinkedAt          sql.NullTime `db:"linked_at"`
}

// instanceInsertColumns are what a new instance sets; its helpdesk settings
// start at their defaults, so an older schema (an upgrade's first steps)
// takes the insert too.
const instanceInsertColumns = `id, name, status, phone, status_reason, token_hash, send_rate_per_minute,
	qr_code, qr_expires_at, wa_jid, created_at, updated_at`

const instanceColumns = instanceInsertColumns + `, closing_message, feedback_when_unanswered,
	greeting_message, away_message, business_hours, first_response_sla_ms, attend_groups,
	health_state, health_reason, health_until,
	new_contacts_per_day, warmup_days, linked_at`

func (r instanceRow) domain() domain.Instance {
	in := domain.Instance{
		ID: r.ID, Name: r.Name, Status: domain.InstanceStatus(r.Status), Phone: r.Phone,
		StatusReason: r.StatusReason, TokenHash: r.TokenHash, QRCode: r.QRCode,
		CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC(),
		ClosingMessage: r.ClosingMessage, FeedbackWhenUnanswered: r.FeedbackUnanswer,
		AttendGroups: r.AttendGroups,
	}
	if r.SendRatePerMinute.Valid {
		v := int(r.SendRatePerMinute.Int32)
		in.SendRatePerMinute = &v
	}
	in.QRExpiresAt = timePtr(r.QRExpiresAt)
	in.NewContactsPerDay, in.WarmupDays, in.LinkedAt = r.NewContactsPerDay, r.WarmupDays, timePtr(r.LinkedAt)
	in.GreetingMessage, in.AwayMessage = r.GreetingMessage, r.AwayMessage
	in.FirstResponseSLA = time.Duration(r.SLAMillis) * time.Millisecond
	// Stored hours were valid when written; should the zone database
	// drop a zone, the instance reads as always open rather than failing.
	in.BusinessHours, _ = domain.LoadBusinessHours(r.BusinessHours)
	in.Health = domain.LoadHealth(r.HealthState, r.HealthReason, timePtr(r.HealthUntil))
	return in
}

func toInstanceRow(in *domain.Instance) instanceRow {
	r := instanceRow{
		ID: in.ID, Name: in.Name, Status: string(in.Status), Phone: in.Phone,
		StatusReason: in.StatusReason, TokenHash: in.TokenHash, QRCode: in.QRCode,
		CreatedAt: in.CreatedAt, UpdatedAt: in.UpdatedAt,
		ClosingMessage: in.ClosingMessage, FeedbackUnanswer: in.FeedbackWhenUnanswered,
		AttendGroups: in.AttendGroups,
	}
	if in.SendRatePerMinute != nil {
		r.SendRatePerMinute = sql.NullInt32{Int32: int32(*in.SendRatePerMinute), Valid: true}
	}
	r.QRExpiresAt = nullTime(in.QRExpiresAt)
	r.NewContactsPerDay, r.WarmupDays, r.LinkedAt = in.NewContactsPerDay, in.WarmupDays, nullTime(in.LinkedAt)
	r.GreetingMessage, r.AwayMessage = in.GreetingMessage, in.AwayMessage
	r.SLAMillis = in.FirstResponseSLA.Milliseconds()
	if in.BusinessHours != nil {
		r.BusinessHours, _ = in.BusinessHours.MarshalJSON()
	}
	return r
}

// nullJSON is a jsonb column that may be null (nil).
type nullJSON []byte

// Scan implements sql.Scanner.
func (j *nullJSON) Scan(v any) error {
	switch b := v.(type) {
	case nil:
		*j = nil
	case []byte:
		*j = append((*j)[:0], b...)
	case string:
		*j = nullJSON(b)
	default:
		return fmt.Errorf("jsonb: unexpected %T", v)
	}
	return nil
}

// Value implements driver.Valuer.
func (j nullJSON) Value() (driver.Value, error) {
	if j == nil {
		return nil, nil
	}
	return string(j), nil
}

type messageRow struct {
	ID             string         `db:"id"`
	InstanceID     string         `db:"instance_id"`
	Direction      string         `db:"direction"`
	Status         string         `db:"status"`
	To             string         `db:"to_phone"`
	From           string         `db:"from_phone"`
	Type           string         `db:"type"`
	Text           string         `db:"body"`
	Caption        string         `db:"caption"`
	MediaKey       sql.NullString `db:"media_key"`
	MediaMime      sql.NullString `db:"media_mime"`
	MediaFilename  sql.NullString `db:"media_filename"`
	MediaSize      sql.NullInt64  `db:"media_size"`
	MediaSHA256    sql.NullString `db:"media_sha256"`
	WAMessageID    string         `db:"wa_message_id"`
	Error          string         `db:"error"`
	IdempotencyKey sql.NullString `db:"idempotency_key"`
	Fingerprint    sql.NullString `db:"request_fingerprint"`
	PushName       string         `db:"push_name"`
	Chat           string         `db:"chat"`
	IsGroup        bool           `db:"is_group"`
	FromLID        string         `db:"from_lid"`
	ToLID          string         `db:"to_lid"`
	Mentions       pq.StringArray `db:"mentions"`
	PTT            bool           `db:"ptt"`
	Participant    string         `db:"participant"`
	FromMe         bool           `db:"from_me"`
	Extra          jsonText       `db:"extra"`
	Location       jsonText       `db:"location"`
	Contacts       jsonText       `db:"contacts"`
	Poll           jsonText       `db:"poll"`
	AttendanceID   sql.NullString `db:"attendance_id"`
	CreatedAt      time.Time      `db:"created_at"`
	SendAt         sql.NullTime   `db:"send_at"`
	SentAt         sql.NullTime   `db:"sent_at"`
	DeliveredAt    sql.NullTime   `db:"delivered_at"`
	ReadAt         sql.NullTime   `db:"read_at"`
	ReplyTo        string         `db:"reply_to"`
	Reactions      jsonText       `db:"reactions"`
	TargetID       string         `db:"target_id"`
	Emoji          string         `db:"emoji"`
	EditedAt       sql.NullTime   `db:"edited_at"`
	RevokedAt      sql.NullTime   `db:"revoked_at"`
	Held           string         `db:"held"`
}

const messageColumns = `id, instance_id, direction, status, to_phone, from_phone, type, body, caption,
	media_key, media_mime, media_filename, media_size, media_sha256, wa_message_id, error,
	idempotency_key, push_name, chat, is_group, from_me, extra, attendance_id, created_at, send_at, sent_at, delivered_at, read_at,
	request_fingerprint, from_lid, to_lid, participant, mentions, location, contacts, poll, ptt,
	reply_to, reactions, target_id, emoji, edited_at, revoked_at, held`

func (r messageRow) domain() domain.Message {
	m := domain.Message{
		ID: r.ID, InstanceID: r.InstanceID, Direction: domain.Direction(r.Direction),
		Status: domain.MessageStatus(r.Status), To: r.To, From: r.From, Type: domain.MessageType(r.Type),
		Text: r.Text, Caption: r.Caption, WAMessageID: r.WAMessageID, Error: r.Error,
		IdempotencyKey: r.IdempotencyKey.String, RequestFingerprint: r.Fingerprint.String, PushName: r.PushName, Chat: r.Chat, IsGroup: r.IsGroup,
		FromLID: r.FromLID, ToLID: r.ToLID, Participant: r.Participant, Mentions: nilIfEmpty(r.Mentions), PTT: r.PTT,
		FromMe: r.FromMe, Extra: []byte(r.Extra), AttendanceID: r.AttendanceID.String, CreatedAt: r.CreatedAt.UTC(),
		SendAt: timePtr(r.SendAt), SentAt: timePtr(r.SentAt), DeliveredAt: timePtr(r.DeliveredAt), ReadAt: timePtr(r.ReadAt),
	}
	r.kinds(&m)
	m.ReplyTo, m.TargetID, m.Emoji = r.ReplyTo, r.TargetID, r.Emoji
	m.Reactions, m.EditedAt, m.RevokedAt = reactionsOf(r.Reactions), timePtr(r.EditedAt), timePtr(r.RevokedAt)
	m.Held = r.Held
	if r.MediaKey.Valid {
		m.Media = &domain.Media{Key: r.MediaKey.String, Mime: r.MediaMime.String, Filename: r.MediaFilename.String,
			Size: r.MediaSize.Int64, SHA256: r.MediaSHA256.String}
	}
	return m
}

func toMessageRow(m *domain.Message) messageRow {
	r := messageRow{
		ID: m.ID, InstanceID: m.InstanceID, Direction: string(m.Direction), Status: string(m.Status),
		To: m.To, From: m.From, Type: string(m.Type), Text: m.Text, Caption: m.Caption,
		WAMessageID: m.WAMessageID, Error: m.Error, CreatedAt: m.CreatedAt,
		PushName: m.PushName, Chat: m.Chat, IsGroup: m.IsGroup, FromMe: m.FromMe, Extra: jsonText(m.Extra),
		FromLID: m.FromLID, ToLID: m.ToLID, Participant: m.Participant, Mentions: textArray(m.Mentions), PTT: m.PTT,
		SendAt: nullTime(m.SendAt), SentAt: nullTime(m.SentAt), DeliveredAt: nullTime(m.DeliveredAt), ReadAt: nullTime(m.ReadAt),
	}
	r.Location, r.Contacts, r.Poll = kindColumns(m)
	r.ReplyTo, r.TargetID, r.Emoji = m.ReplyTo, m.TargetID, m.Emoji
	r.Reactions, r.EditedAt, r.RevokedAt = reactionsJSON(m.Reactions), nullTime(m.EditedAt), nullTime(m.RevokedAt)
	r.Held = m.Held
	if m.AttendanceID != "" {
		r.AttendanceID = sql.NullString{String: m.AttendanceID, Valid: true}
	}
	if m.IdempotencyKey != "" {
		r.IdempotencyKey = sql.NullString{String: m.IdempotencyKey, Valid: true}
	}
	if m.RequestFingerprint != "" {
		r.Fingerprint = sql.NullString{String: m.RequestFingerprint, Valid: true}
	}
	if m.Media != nil {
		r.MediaKey = sql.NullString{String: m.Media.Key, Valid: true}
		r.MediaMime = sql.NullString{String: m.Media.Mime, Valid: true}
		r.MediaFilename = sql.NullString{String: m.Media.Filename, Valid: true}
		r.MediaSize = sql.NullInt64{Int64: m.Media.Size, Valid: true}
		r.MediaSHA256 = sql.NullString{String: m.Media.SHA256, Valid: true}
	}
	return r
}

func timePtr(t sql.NullTime) *time.Time {
	if !t.Valid {
		return nil
	}
	u := t.Time.UTC()
	return &u
}

func nullTime(t *time.Time) sql.NullTime {
	if t == nil {
		return sql.NullTime{}
	}
	return sql.NullTime{Time: *t, Valid: true}
}

// jsonText is a jsonb value sent as text: with binary_parameters (see
// Open) lib/pq sends a plain []byte in binary format, which jsonb reads
// differently from its text.
type jsonText []byte

// Value implements driver.Valuer.
func (j jsonText) Value() (driver.Value, error) {
	if j == nil {
		return nil, nil
	}
	return string(j), nil
}

// Scan implements sql.Scanner.
func (j *jsonText) Scan(src any) error {
	switch v := src.(type) {
	case nil:
		*j = nil
	case []byte:
		*j = append(jsonText(nil), v...)
	case string:
		*j = jsonText(v)
	default:
		return fmt.Errorf("jsonText: cannot scan %T", src)
	}
	return nil
}

// nilIfEmpty keeps a message without mentions as it was built: nil.
func nilIfEmpty(a pq.StringArray) []string {
	if len(a) == 0 {
		return nil
	}
	return a
}

// textArray stores nil as an empty array: the column is NOT NULL.
func textArray(a []string) pq.StringArray {
	if a == nil {
		return pq.StringArray{}
	}
	return a
}
