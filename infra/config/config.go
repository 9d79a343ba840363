// Package config reads zapgate's configuration from the environment and
// reports every problem at once, one line each.
package config

import (
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Config is everything the process needs to start.
type Config struct {
	HTTPAddr           string
	DatabaseURL        string
	AMQPURL            string
	AdminToken         string
	WhatsAppDriver     string
	Storage            string
	S3Endpoint         string
	PublicURL          string
	AttendanceIdle     time.Duration
	AttendanceSweep    time.Duration
	SendRate           int // messages per minute per instance; 0 = unlimited
	WebhookDenyPrivate bool
	EventRetention     time.Duration
	Roles              Roles
	LogLevel           string
	PprofAddr          string // serve net/http/pprof here when set (never on by default)
	TypingPresence     bool   // show "typing…" before each text (real driver)
	Namespace          string // broker namespace; "" = the one stored in the database
	// CommandTimeout is how long a command may wait for a connected
	// instance before it fails with not_connected. Hidden
	// (ZAPGATE_COMMAND_TIMEOUT): API.md fixes it at 2 minutes; tests
	// shorten it.
	CommandTimeout time.Duration
	// WebhookTimeout is how long a webhook receiver has to answer. Hidden
	// (ZAPGATE_WEBHOOK_TIMEOUT): API.md fixes it at 10 s; tests lengthen
	// it so that a slow machine cannot mistake a slow pipeline for a
	// timed-out receiver.
	WebhookTimeout time.Duration
	// MediaFetchTimeout is how long downloading media sent by URL may
	// take. Hidden (ZAPGATE_MEDIA_FETCH_TIMEOUT): API.md fixes it at 30 s;
	// tests shorten it.
	MediaFetchTimeout time.Duration
	// SLAMin is the shortest first_response_sla an instance may set.
	// Hidden, test-only (ZAPGATE_SLA_MIN): the contract's minimum is 1m,
	// too slow for end-to-end tests.
	SLAMin time.Duration
	// DBMaxConns bounds this process's Postgres connection pool
	// (ZAPGATE_DB_MAX_CONNS, default 40): several processes on one server
	// must stay under its max_connections together.
	DBMaxConns int
	// NewContactsPerDay is the new-contact cap a new instance starts with
	// (ZAPGATE_NEW_CONTACTS_PER_DAY; 0 = no cap); WarmupDays the warm-up a
	// phone zapgate had never linked gets (ZAPGATE_WARMUP_DAYS; 0 = off).
	NewContactsPerDay int
	WarmupDays        int
}

var validNamespace = regexp.MustCompile(`^[a-z0-9_-]{1,32}$`)

// DefaultSendRate is 20 messages a minute per instance: one every three
// seconds on average, the pace of a busy person, which WhatsApp tolerates
// from a number that is not brand new (see README, "Pacing").
const DefaultSendRate = 20

// DefaultNewContactsPerDay is 50 people a day that the number never
// exchanged a message with: a fifth of the smallest tier WhatsApp gives a
// new Business API number (250 business-initiated conversations a day),
// since an unofficial client gets no such allowance (README, "Sending
// safely").
const DefaultNewContactsPerDay = 50

// DefaultWarmupDays is how long a phone zapgate had never linked takes to
// reach its full rate and cap, from 20% on the day of linking.
const DefaultWarmupDays = 7

// Role names.
const (
	RoleAPI       = "api"
	RoleForwarder = "forwarder"
	RoleBot       = "bot"
	RoleNotifier  = "notifier"
	RoleScheduler = "scheduler"
)

// AllRoles is what "all" means.
var AllRoles = []string{RoleAPI, RoleForwarder, RoleBot, RoleNotifier, RoleScheduler}

// Roles is the set of roles this process runs.
type Roles map[string]bool

// ParseRoles accepts "all" or a comma list of role names.
func ParseRoles(s string) (Roles, error) {
	s = strings.TrimSpace(s)
	r := Roles{}
	if s == "" || s == "all" {
		for _, n := range AllRoles {
			r[n] = true
		}
		return r, nil
	}
	for _, n := range strings.Split(s, ",") {
		n = strings.TrimSpace(n)
		ok := false
		for _, known := range AllRoles {
			ok = ok || n == known
		}
		if !ok {
			return nil, fmt.Errorf("unknown role %q (want all or a comma list of %s)", n, strings.Join(AllRoles, ","))
		}
		r[n] = true
	}
	return r, nil
}

// String lists the roles in a stable order.
func (r Roles) String() string {
	var out []string
	for _, n := range AllRoles {
		if r[n] {
			out = append(out, n)
		}
	}
	return strings.Join(out, ",")
}

// Load reads the environment through getenv. The error lists every problem.
func Load(getenv func(string) string) (Config, error) { return load(getenv, true) }

// LoadOperator is Load for the commands an operator runs on the database
// directly (events replay): they serve no API, so need no admin token.
func LoadOperator(getenv func(string) string) (Config, error) { return load(getenv, false) }

func load(getenv func(string) string, needAdmin bool) (Config, error) {
	get := func(k, def string) string {
		if v := strings.TrimSpace(getenv(k)); v != "" {
			return v
		}
		return def
	}
	var problems []string
	bad := func(format string, a ...any) { problems = append(problems, fmt.Sprintf(format, a...)) }
	dur := func(k, def string) time.Duration {
		v := get(k, def)
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 {
			bad("%s: %q is not a positive duration like 30m", k, v)
		}
		return d
	}

	c := Config{
		HTTPAddr:       get("ZAPGATE_HTTP_ADDR", ":8080"),
		DatabaseURL:    get("ZAPGATE_DATABASE_URL", "postgres://postgres@localhost:5432/zapgate?sslmode=disable"),
		AMQPURL:        get("ZAPGATE_AMQP_URL", "amqp://guest:guest@localhost:5672/"),
		AdminToken:     getenv("ZAPGATE_ADMIN_TOKEN"),
		WhatsAppDriver: get("ZAPGATE_WHATSAPP_DRIVER", "whatsmeow"),
		Storage:        get("ZAPGATE_STORAGE", "file://./data/media"),
		S3Endpoint:     get("ZAPGATE_S3_ENDPOINT", ""),
		PublicURL:      strings.TrimRight(get("ZAPGATE_PUBLIC_URL", "http://localhost:8080"), "/"),
		LogLevel:       get("ZAPGATE_LOG_LEVEL", "info"),
		PprofAddr:      get("ZAPGATE_PPROF_ADDR", ""),
		Namespace:      get("ZAPGATE_NAMESPACE", ""),
	}
	c.AttendanceIdle = dur("ZAPGATE_ATTENDANCE_IDLE", "30m")
	c.AttendanceSweep = dur("ZAPGATE_ATTENDANCE_SWEEP", "5m")
	c.EventRetention = dur("ZAPGATE_EVENT_RETENTION", "720h")
	c.CommandTimeout = dur("ZAPGATE_COMMAND_TIMEOUT", "2m")
	c.MediaFetchTimeout = dur("ZAPGATE_MEDIA_FETCH_TIMEOUT", "30s")
	c.WebhookTimeout = dur("ZAPGATE_WEBHOOK_TIMEOUT", "10s")
	c.SLAMin = dur("ZAPGATE_SLA_MIN", "1m")

	if c.AdminToken == "" {
		if needAdmin {
			bad("ZAPGATE_ADMIN_TOKEN is required: set it to a long random secret (e.g. openssl rand -hex 32)")
		}
	} else if len(c.AdminToken) < 8 {
		bad("ZAPGATE_ADMIN_TOKEN is too short: use at least 8 characters (32 random bytes recommended)")
	}
	if _, _, err := splitHostPort(c.HTTPAddr); err != nil {
		bad("ZAPGATE_HTTP_ADDR: %q is not host:port (e.g. :8080)", c.HTTPAddr)
	}
	checkURL := func(k, v string, schemes ...string) {
		u, err := url.Parse(v)
		if err != nil || u.Host == "" || !slices.Contains(schemes, u.Scheme) {
			bad("%s: %q is not a %s URL", k, v, strings.Join(schemes, "/"))
		}
	}
	checkURL("ZAPGATE_DATABASE_URL", c.DatabaseURL, "postgres", "postgresql")
	checkURL("ZAPGATE_AMQP_URL", c.AMQPURL, "amqp", "amqps")
	checkURL("ZAPGATE_PUBLIC_URL", c.PublicURL, "http", "https")
	if c.S3Endpoint != "" {
		checkURL("ZAPGATE_S3_ENDPOINT", c.S3Endpoint, "http", "https")
	}
	if !strings.HasPrefix(c.Storage, "file://") && !strings.HasPrefix(c.Storage, "s3://") {
		bad("ZAPGATE_STORAGE: %q must be file://DIR or s3://BUCKET", c.Storage)
	}
	if c.WhatsAppDriver != "whatsmeow" && c.WhatsAppDriver != "sim" {
		bad("ZAPGATE_WHATSAPP_DRIVER: %q must be whatsmeow or sim", c.WhatsAppDriver)
	}
	c.DBMaxConns = 40
	if v := getenv("ZAPGATE_DB_MAX_CONNS"); strings.TrimSpace(v) != "" {
		n, err := strconv.Atoi(strings.TrimSpace(v))
		if err != nil || n < 4 || n > 1000 {
			bad("ZAPGATE_DB_MAX_CONNS: %q must be a number of connections from 4 to 1000", v)
		}
		c.DBMaxConns = n
	}
	c.SendRate = DefaultSendRate
	if v := getenv("ZAPGATE_SEND_RATE"); strings.TrimSpace(v) != "" {
		n, err := strconv.Atoi(strings.TrimSpace(v))
		if err != nil || n < 0 || n > 6000 {
			bad("ZAPGATE_SEND_RATE: %q must be messages per minute from 0 (unlimited) to 6000", v)
		}
		c.SendRate = n
	}
	c.NewContactsPerDay = DefaultNewContactsPerDay
	if v := getenv("ZAPGATE_NEW_CONTACTS_PER_DAY"); strings.TrimSpace(v) != "" {
		n, err := strconv.Atoi(strings.TrimSpace(v))
		if err != nil || n < 0 || n > 100000 {
			bad("ZAPGATE_NEW_CONTACTS_PER_DAY: %q must be people per day from 0 (no cap) to 100000", v)
		}
		c.NewContactsPerDay = n
	}
	c.WarmupDays = DefaultWarmupDays
	if v := getenv("ZAPGATE_WARMUP_DAYS"); strings.TrimSpace(v) != "" {
		n, err := strconv.Atoi(strings.TrimSpace(v))
		if err != nil || n < 0 || n > 365 {
			bad("ZAPGATE_WARMUP_DAYS: %q must be days from 0 (off) to 365", v)
		}
		c.WarmupDays = n
	}
	if v := get("ZAPGATE_WEBHOOK_DENY_PRIVATE", "false"); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			bad("ZAPGATE_WEBHOOK_DENY_PRIVATE: %q must be true or false", v)
		}
		c.WebhookDenyPrivate = b
	}
	if v := get("ZAPGATE_TYPING", "false"); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			bad("ZAPGATE_TYPING: %q must be true or false", v)
		}
		c.TypingPresence = b
	}
	// It becomes part of every exchange and queue name: no dots or routing
	// wildcards, and short enough to read.
	if c.Namespace != "" && !validNamespace.MatchString(c.Namespace) {
		bad("ZAPGATE_NAMESPACE: %q must be 1 to 32 of a-z, 0-9, _ and -", c.Namespace)
	}
	roles, err := ParseRoles(get("ZAPGATE_ROLES", "all"))
	if err != nil {
		bad("ZAPGATE_ROLES: %v", err)
	}
	c.Roles = roles
	switch c.LogLevel {
	case "debug", "info", "warn", "error":
	default:
		bad("ZAPGATE_LOG_LEVEL: %q must be debug, info, warn or error", c.LogLevel)
	}
	if len(problems) > 0 {
		return c, errors.New(strings.Join(problems, "\n"))
	}
	return c, nil
}

func splitHostPort(addr string) (string, string, error) {
	i := strings.LastIndexByte(addr, ':')
	if i < 0 {
		return "", "", errors.New("missing port")
	}
	if _, err := strconv.Atoi(addr[i+1:]); err != nil {
		return "", "", err
	}
	return addr[:i], addr[i+1:], nil
}
