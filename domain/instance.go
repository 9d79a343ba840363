package domain

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// InstanceStatus is the link state of a WhatsApp number.
type InstanceStatus string

const (
	InstanceCreated      InstanceStatus = "created"
	InstanceQR           InstanceStatus = "qr"
	InstanceConnected    InstanceStatus = "connected"
	InstanceDisconnected InstanceStatus = "disconnected"
	InstanceLoggedOut    InstanceStatus = "logged_out"
)

// Instance is one WhatsApp number linked to zapgate.
type Instance struct {
	ID                string
	Name              string
	Status            InstanceStatus
	Phone             string
	StatusReason      string
	TokenHash         []byte
	SendRatePerMinute *int
	QRCode            string
	QRExpiresAt       *time.Time
	CreatedAt         time.Time
	UpdatedAt         time.Time
	// Helpdesk texts (instance_helpdesk.go).
	ClosingMessage         string // "": DefaultClosingMessage
	FeedbackWhenUnanswered bool
	// Business hours and what the client hears by them (instance_hours.go).
	GreetingMessage  string
	AwayMessage      string
	BusinessHours    *BusinessHours // nil: always open
	FirstResponseSLA time.Duration  // 0: none
	// AttendGroups files a group's messages as one attendance whose client
	// is the group; off, group messages open nothing.
	AttendGroups bool
	// Health is how WhatsApp treats the number (health.go).
	Health Health
	// Sending safely (sending_safely.go): the new-contact cap per rolling
	// 24 h (0 = none), the warm-up length and when the phone was linked.
	NewContactsPerDay int
	WarmupDays        int
	LinkedAt          *time.Time
}

// NewInstance validates the name and returns the instance with its token,
// which is shown once; only its hash is kept.
func NewInstance(name string, now time.Time) (*Instance, string, error) {
	in := &Instance{ID: NewID(now), Status: InstanceCreated, CreatedAt: now, UpdatedAt: now}
	if err := in.Rename(name); err != nil {
		return nil, "", err
	}
	token := NewSecret("zgi_", 32)
	in.TokenHash = HashSecret(token)
	return in, token, nil
}

// Rename sets a new name: 1 to 100 characters.
func (i *Instance) Rename(name string) error {
	name = strings.TrimSpace(name)
	if p := TextProblem(name); p != "" {
		return InvalidField("name", p)
	}
	if name == "" || utf8.RuneCountInString(name) > 100 || !utf8.ValidString(name) {
		return InvalidField("name", "is required, at most 100 characters")
	}
	i.Name = name
	return nil
}

// MaxSendRate is the highest per-instance pace accepted, per minute.
const MaxSendRate = 6000

// SetSendRate sets the messages-per-minute pace (0 = unlimited), or nil for
// the process default.
func (i *Instance) SetSendRate(perMinute *int) error {
	if perMinute != nil && (*perMinute < 0 || *perMinute > MaxSendRate) {
		return InvalidField("send_rate_per_minute", "must be from 0 (unlimited) to 6000, or null for the default")
	}
	i.SendRatePerMinute = perMinute
	return nil
}

// SetStatus moves the instance to a new link state. It reports whether
// anything changed, so callers emit instance.status only for real changes.
func (i *Instance) SetStatus(s InstanceStatus, phone, reason string, now time.Time) bool {
	if i.Status == s && i.Phone == phone && i.StatusReason == reason {
		return false
	}
	i.Status, i.StatusReason, i.UpdatedAt = s, reason, now
	if phone != "" || s == InstanceLoggedOut {
		i.Phone = phone
	}
	if s == InstanceConnected || s == InstanceLoggedOut {
		i.QRCode, i.QRExpiresAt = "", nil
	}
	return true
}

// ShowQR records a code to scan, putting the instance in the qr state; it
// reports whether the status changed.
func (i *Instance) ShowQR(code string, expiresAt, now time.Time) (bool, error) {
	if code == "" {
		return false, fmt.Errorf("show qr: empty code")
	}
	changed := i.SetStatus(InstanceQR, "", "", now)
	i.QRCode, i.QRExpiresAt = code, &expiresAt
	return changed, nil
}

// Touch records that the instance's settings changed at now.
func (i *Instance) Touch(now time.Time) {
	i.UpdatedAt = now
}

// NewSecret returns prefix + n random bytes, URL-safe base64.
func NewSecret(prefix string, n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return prefix + base64.RawURLEncoding.EncodeToString(b)
}

// HashSecret is how tokens are stored: random tokens need no slow hash.
func HashSecret(token string) []byte {
	h := sha256.Sum256([]byte(token))
	return h[:]
}
