package app

import (
	"context"
	"fmt"
	"time"

	"github.com/zapgate/zapgate/domain"
	"github.com/zapgate/zapgate/events"
)

// PollVote is a vote WhatsApp delivered for a poll of the instance, sent
// by it or received. WhatsApp names the chosen options by the SHA-256 of
// their text (SelectedHashes); the sim names them (Selected). An empty
// choice withdraws the voter's vote.
type PollVote struct {
	InstanceID        string
	TargetWAMessageID string // the poll's WhatsApp id
	WAMessageID       string // the vote's own WhatsApp id, "" when unknown
	Voter             string // the phone when known, else the voter's JID
	Selected          []string
	SelectedHashes    [][]byte
	At                time.Time
}

// PollVoteRecord is a voter's current choice on a poll message.
type PollVoteRecord struct {
	MessageID   string
	Voter       string
	Selected    []string
	WAMessageID string
	At          time.Time
}

// ReceivePollVote records a voter's choice on a poll, replacing their
// earlier one, and stores the poll's new tally with its poll.vote event in
// one transaction. A vote never becomes a message. It reports whether the
// vote counted: false for one already recorded or older than the voter's
// current one. NotFound when the instance has no such poll (a poll made
// before zapgate linked).
func (a *App) ReceivePollVote(ctx context.Context, v PollVote) (bool, error) {
	if v.TargetWAMessageID == "" || v.Voter == "" {
		return false, domain.InvalidField("target_wa_message_id", "is required, with the voter")
	}
	if err := domain.CheckText("target_wa_message_id", v.TargetWAMessageID); err != nil {
		return false, err
	}
	counted := false
	now := a.now()
	at := v.At
	if at.IsZero() {
		at = now
	}
	err := a.store.InTx(ctx, func(tx Tx) error {
		m, err := tx.LockMessageByWAID(ctx, v.InstanceID, v.TargetWAMessageID)
		if err != nil {
			return err
		}
		if m.Poll == nil {
			return domain.NotFound("poll")
		}
		selected := m.Poll.OptionsByHash(v.SelectedHashes)
		if v.SelectedHashes == nil {
			if selected, err = m.Poll.Choose(v.Selected); err != nil {
				return err
			}
		}
		fresh, err := tx.RecordPollVote(ctx, PollVoteRecord{MessageID: m.ID, Voter: v.Voter, Selected: selected,
			WAMessageID: v.WAMessageID, At: at.UTC()})
		if err != nil || !fresh {
			return err
		}
		counted = true
		choices, err := tx.PollChoices(ctx, m.ID)
		if err != nil {
			return err
		}
		if err := m.TallyPoll(choices); err != nil {
			return err
		}
		if err := tx.SavePoll(ctx, m); err != nil {
			return err
		}
		return tx.Publish(ctx, newEvent(events.PollVote, m.InstanceID, now,
			events.PollVoted{MessageID: m.ID, Voter: v.Voter, Selected: selected, AttendanceID: m.AttendanceID}))
	})
	if err != nil {
		return false, fmt.Errorf("receive poll vote: %w", err)
	}
	return counted, nil
}
