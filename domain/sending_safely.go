package domain

import (
	"math"
	"time"
)

// Sending safely (API.md "Sending safely"): WhatsApp bans numbers that
// reach many strangers quickly, above all fresh ones. Two guards live
// here as pure rules: the new-contact cap over a rolling window, and the
// warm-up curve that scales the rate and the cap for a newly linked phone.

// NewContactWindow is how far back new contacts count against the cap.
const NewContactWindow = 24 * time.Hour

// HeldNewContactCap is the reason a message waits for the new-contact cap.
const HeldNewContactCap = "new_contact_cap"

// MaxNewContactsPerDay and MaxWarmupDays bound the per-instance settings.
const (
	MaxNewContactsPerDay = 100000
	MaxWarmupDays        = 365
)

// NewContactWindowStart is the oldest first send that still counts at now:
// a contact first written to exactly 24 h ago no longer does.
func NewContactWindowStart(now time.Time) time.Time {
	return now.Add(-NewContactWindow)
}

// InNewContactWindow reports whether a contact first written to at counts
// against the cap at now.
func InNewContactWindow(at, now time.Time) bool {
	return at.After(NewContactWindowStart(now)) && !at.After(now)
}

// warmupFloor is the share of the full rate and cap on the day of linking.
const warmupFloor = 0.2

// WarmupFactor is the share of the configured rate and cap that applies
// at now to a phone linked at linkedAt with a warm-up of days: 20% at
// linking, growing linearly to 100% when the warm-up ends. No warm-up (0
// days, or not linked) is 100%.
func WarmupFactor(linkedAt *time.Time, days int, now time.Time) float64 {
	if days <= 0 || linkedAt == nil {
		return 1
	}
	total := time.Duration(days) * 24 * time.Hour
	elapsed := now.Sub(*linkedAt)
	if elapsed <= 0 {
		return warmupFloor
	}
	if elapsed >= total {
		return 1
	}
	return warmupFloor + (1-warmupFloor)*float64(elapsed)/float64(total)
}

// Warmed scales a limit by a warm-up factor. 0 (no limit) stays 0, and a
// limit never drops below 1: a warming phone sends slowly, never not at all.
func Warmed(limit int, factor float64) int {
	if limit <= 0 {
		return 0
	}
	n := int(math.Round(float64(limit) * factor))
	return max(n, 1)
}

// SetNewContactsPerDay sets the new-contact cap (0 = no cap).
func (i *Instance) SetNewContactsPerDay(n int) error {
	if n < 0 || n > MaxNewContactsPerDay {
		return InvalidField("new_contacts_per_day", "must be from 0 (no cap) to 100000")
	}
	i.NewContactsPerDay = n
	return nil
}

// SetWarmupDays sets how many days after linking the warm-up lasts (0 = off).
func (i *Instance) SetWarmupDays(days int) error {
	if days < 0 || days > MaxWarmupDays {
		return InvalidField("warmup_days", "must be from 0 (off) to 365")
	}
	i.WarmupDays = days
	return nil
}

// Linked records that the instance was linked to a phone at now: a phone
// zapgate had seen before is trusted at once, a new one warms up for
// warmupDays.
func (i *Instance) Linked(seenBefore bool, warmupDays int, now time.Time) {
	i.LinkedAt = &now
	if seenBefore {
		warmupDays = 0
	}
	i.WarmupDays = max(0, min(warmupDays, MaxWarmupDays))
}

// IsLink reports whether moving to status s with phone is a new link (a
// scan or pairing), not a reconnect of the phone already linked.
func (i *Instance) IsLink(s InstanceStatus, phone string) bool {
	return s == InstanceConnected && phone != "" && (i.LinkedAt == nil || i.Phone != phone)
}

// SendLimits are the pace and the new-contact cap in force for an
// instance at a moment, warm-up applied (0 = unlimited).
type SendLimits struct {
	RatePerMinute     int
	NewContactsPerDay int
}

// LimitsAt is what the instance may do at now, given the process's
// default rate for instances without their own.
func (i *Instance) LimitsAt(now time.Time, defaultRate int) SendLimits {
	rate := defaultRate
	if i.SendRatePerMinute != nil {
		rate = *i.SendRatePerMinute
	}
	f := WarmupFactor(i.LinkedAt, i.WarmupDays, now)
	return SendLimits{RatePerMinute: Warmed(rate, f), NewContactsPerDay: Warmed(i.NewContactsPerDay, f)}
}

// SendCandidate is one queued message, as the cap sees it.
type SendCandidate struct {
	ID    string
	Chat  string // the person (or group) it goes to
	Known bool   // the instance has exchanged a message with that person
	Group bool   // groups are not contacts: never capped
}

// AdmitSends decides which of a run of queued messages (in queue order)
// wait for the cap. room is how many new contacts may still be written to
// now (<0: no cap); heldChats are the chats with messages already waiting.
// Per-chat order: a message to a chat with a waiting message waits behind
// it, whoever it is for; a message to a known person or a group never waits
// otherwise; the first message to a new person takes one unit of room, and
// later ones to that person in the run ride on it. It returns the ids that
// wait.
func AdmitSends(cands []SendCandidate, heldChats map[string]bool, room int) map[string]bool {
	hold := map[string]bool{}
	held := make(map[string]bool, len(heldChats))
	for c, ok := range heldChats {
		held[c] = ok
	}
	admitted := map[string]bool{}
	for _, c := range cands {
		switch {
		case held[c.Chat]:
			hold[c.ID] = true
		case c.Known || c.Group || admitted[c.Chat]:
		case room != 0:
			admitted[c.Chat] = true
			if room > 0 {
				room--
			}
		default:
			hold[c.ID] = true
			held[c.Chat] = true
		}
	}
	return hold
}

// HeldChat is a chat with messages waiting for the cap.
type HeldChat struct {
	Chat  string
	Known bool // the person wrote (or was written to) meanwhile
}

// ReleaseChats picks, from the held chats oldest first, those whose
// messages may go now: every known one, and new ones while room lasts
// (<0: no cap), each costing one unit however many messages wait in it.
func ReleaseChats(chats []HeldChat, room int) []string {
	var out []string
	for _, c := range chats {
		switch {
		case c.Known:
		case room < 0:
		case room > 0:
			room--
		default:
			continue
		}
		out = append(out, c.Chat)
	}
	return out
}

// Room is how many new contacts may still be written to under cap when
// used were already written to in the window (<0: no cap).
func Room(cap, used int) int {
	if cap <= 0 {
		return -1
	}
	return max(cap-used, 0)
}

// ExchangedStatuses are the statuses of messages that mean the instance
// and the person have exchanged a message: one received, or one sent.
func ExchangedStatuses() []MessageStatus {
	return []MessageStatus{StatusReceived, StatusSent, StatusDelivered, StatusRead}
}
