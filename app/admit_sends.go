package app

import (
	"context"
	"fmt"
	"time"

	"github.com/zapgate/zapgate/domain"
)

// HoldStore keeps what the new-contact cap needs (sending_safely.go in
// domain). A chat is resolved through the contacts table, so a person's
// phone JID and LID are one person.
type HoldStore interface {
	// SendAdmission tells, for each chat, whether the instance has
	// exchanged a message with that person and whether messages to them
	// wait held; and how many new contacts were first written to after since.
	SendAdmission(ctx context.Context, instanceID string, chats []string, since time.Time) (map[string]ChatAdmission, int, error)
	// HoldMessages marks queued messages as waiting for reason.
	HoldMessages(ctx context.Context, instanceID string, ids []string, reason string) error
	// HeldChats lists the chats with held messages, the one waiting
	// longest first, and how many new contacts were first written to after
	// since.
	HeldChats(ctx context.Context, instanceID string, since time.Time) ([]domain.HeldChat, int, error)
	// HeldMessages returns the held messages of chats, oldest first.
	HeldMessages(ctx context.Context, instanceID string, chats []string) ([]domain.Message, error)
	// InstanceWithFigures reads the instance with, after since, what it
	// sent and the new contacts it reached, and the messages held now: one
	// read, since GET /v1/instances/{id} is what clients poll.
	InstanceWithFigures(ctx context.Context, instanceID string, since time.Time) (*domain.Instance, SendingFigures, error)
}

// NewContactsTx is implemented by a Tx that counts new contacts; RecordSends
// counts those it sends for the first time in the same transaction.
type NewContactsTx interface {
	// CountNewContacts records, for the sent messages among ms, the people
	// the instance had never exchanged a message with. It runs before their
	// status is stored.
	CountNewContacts(ctx context.Context, instanceID string, ms []*domain.Message) error
}

// ChatAdmission is what SendAdmission knows of one chat.
type ChatAdmission struct {
	Known bool
	Held  bool
}

// SendingDefaults are the per-instance settings of new instances and new
// links (ZAPGATE_NEW_CONTACTS_PER_DAY, ZAPGATE_WARMUP_DAYS).
type SendingDefaults struct {
	NewContactsPerDay int
	WarmupDays        int
}

// AdmitSends decides which of a run of queued messages (in queue order)
// wait for the new-contact cap, marks those held in Postgres and returns
// their ids. newContactsCap is the cap in force now (warm-up applied; 0 =
// none). One read and at most one write per run.
func (a *App) AdmitSends(ctx context.Context, instanceID string, newContactsCap int, ms []domain.Message) (map[string]bool, error) {
	if a.holds == nil || len(ms) == 0 {
		return nil, nil
	}
	chats := make([]string, 0, len(ms))
	for _, m := range ms {
		chats = append(chats, m.Chat)
	}
	now := a.now()
	seen, used, err := a.holds.SendAdmission(ctx, instanceID, chats, domain.NewContactWindowStart(now))
	if err != nil {
		return nil, fmt.Errorf("admit sends: %w", err)
	}
	cands := make([]domain.SendCandidate, len(ms))
	heldChats := map[string]bool{}
	for i, m := range ms {
		s := seen[m.Chat]
		cands[i] = domain.SendCandidate{ID: m.ID, Chat: m.Chat, Known: s.Known, Group: m.IsGroup}
		if s.Held {
			heldChats[m.Chat] = true
		}
	}
	hold := domain.AdmitSends(cands, heldChats, domain.Room(newContactsCap, used))
	if len(hold) == 0 {
		return nil, nil
	}
	ids := make([]string, 0, len(hold))
	for _, m := range ms {
		if hold[m.ID] && m.Held == "" {
			ids = append(ids, m.ID)
		}
	}
	if len(ids) > 0 {
		if err := a.holds.HoldMessages(ctx, instanceID, ids, domain.HeldNewContactCap); err != nil {
			return nil, fmt.Errorf("admit sends: %w", err)
		}
	}
	return hold, nil
}

// ReleaseHeld returns the held messages that may go now, in the order to
// send them (a chat's messages together, in created order; the chat
// waiting longest first), and how many chats still wait after them. The
// messages stay marked held until their send is recorded, so a crash in
// between finds them again.
func (a *App) ReleaseHeld(ctx context.Context, instanceID string, newContactsCap int) ([]domain.Message, int, error) {
	if a.holds == nil {
		return nil, 0, nil
	}
	chats, used, err := a.holds.HeldChats(ctx, instanceID, domain.NewContactWindowStart(a.now()))
	if err != nil {
		return nil, 0, fmt.Errorf("release held: %w", err)
	}
	if len(chats) == 0 {
		return nil, 0, nil
	}
	release := domain.ReleaseChats(chats, domain.Room(newContactsCap, used))
	if len(release) == 0 {
		return nil, len(chats), nil
	}
	ms, err := a.holds.HeldMessages(ctx, instanceID, release)
	if err != nil {
		return nil, 0, fmt.Errorf("release held: %w", err)
	}
	// Chat by chat, in the order ReleaseChats chose.
	byChat := make(map[string][]domain.Message, len(release))
	for _, m := range ms {
		byChat[m.Chat] = append(byChat[m.Chat], m)
	}
	out := make([]domain.Message, 0, len(ms))
	for _, c := range release {
		out = append(out, byChat[c]...)
	}
	return out, len(chats) - len(release), nil
}

// SendingFigures are an instance's figures for the last 24 h.
type SendingFigures struct {
	Sent24h        int
	NewContacts24h int
	Held           int
}

// InstanceSendingFigures counts what the instance sent and reached in the
// last 24 h and what waits held now.
func (a *App) InstanceSendingFigures(ctx context.Context, instanceID string) (SendingFigures, error) {
	_, f, err := a.GetInstanceWithFigures(ctx, instanceID)
	return f, err
}

// GetInstanceWithFigures returns one instance with its sending figures of
// the last 24 h.
func (a *App) GetInstanceWithFigures(ctx context.Context, id string) (*domain.Instance, SendingFigures, error) {
	if a.holds == nil {
		in, err := a.GetInstance(ctx, id)
		return in, SendingFigures{}, err
	}
	if !domain.ValidID(id) {
		return nil, SendingFigures{}, domain.NotFound("instance")
	}
	in, f, err := a.holds.InstanceWithFigures(ctx, id, domain.NewContactWindowStart(a.now()))
	if err != nil {
		return nil, SendingFigures{}, fmt.Errorf("instance with figures: %w", err)
	}
	return in, f, nil
}
