package whatsapp

import (
	"context"
	"errors"

	"go.mau.fi/whatsmeow/proto/waE2E"
	"go.mau.fi/whatsmeow/types"
	"go.mau.fi/whatsmeow/types/events"

	"github.com/zapgate/zapgate/app"
	"github.com/zapgate/zapgate/domain"
)

// VoteSink records votes on polls (app.App).
type VoteSink interface {
	ReceivePollVote(ctx context.Context, v app.PollVote) (bool, error)
}

// convertKind fills the typed fields of a location, contact card or poll
// and reports whether msg was one of them.
func convertKind(msg *waE2E.Message, d *domain.IncomingDraft) bool {
	switch {
	case msg.GetLocationMessage() != nil:
		m := msg.GetLocationMessage()
		d.Type = domain.TypeLocation
		d.Location = &domain.Location{Latitude: m.GetDegreesLatitude(), Longitude: m.GetDegreesLongitude(), Name: m.GetName(), Address: m.GetAddress()}
	case msg.GetLiveLocationMessage() != nil:
		// Where the person was when they started sharing: WhatsApp's later
		// updates are not messages.
		m := msg.GetLiveLocationMessage()
		d.Type = domain.TypeLocation
		d.Location = &domain.Location{Latitude: m.GetDegreesLatitude(), Longitude: m.GetDegreesLongitude()}
	case msg.GetContactMessage() != nil:
		d.Type = domain.TypeContact
		d.Contacts = []domain.ContactCard{contactCard(msg.GetContactMessage())}
	case msg.GetContactsArrayMessage() != nil:
		d.Type = domain.TypeContact
		d.Contacts = []domain.ContactCard{}
		for _, c := range msg.GetContactsArrayMessage().GetContacts() {
			d.Contacts = append(d.Contacts, contactCard(c))
		}
	case pollCreation(msg) != nil:
		p := pollCreation(msg)
		d.Type = domain.TypePoll
		d.Poll = &domain.Poll{Question: p.GetName(), Selectable: int(p.GetSelectableOptionsCount()), Options: []domain.PollOption{}}
		for _, o := range p.GetOptions() {
			d.Poll.Options = append(d.Poll.Options, domain.PollOption{Name: o.GetOptionName()})
		}
	default:
		return false
	}
	return true
}

// contactCard reads a card's vCard; the name WhatsApp shows wins over the
// card's own.
func contactCard(c *waE2E.ContactMessage) domain.ContactCard {
	card := domain.ParseVCard(c.GetVcard())
	if c.GetDisplayName() != "" {
		card.Name = c.GetDisplayName()
	}
	return card
}

// pollCreation is the poll of a message, whichever version of WhatsApp's
// poll message carries it; nil for other messages.
func pollCreation(msg *waE2E.Message) *waE2E.PollCreationMessage {
	for _, p := range []*waE2E.PollCreationMessage{msg.GetPollCreationMessage(), msg.GetPollCreationMessageV2(),
		msg.GetPollCreationMessageV3(), msg.GetPollCreationMessageV5(), msg.GetPollCreationMessageV6()} {
		if p != nil {
			return p
		}
	}
	return nil
}

// pollVote decrypts a vote and hands it to the app, which tallies it on
// its poll. A vote for a poll zapgate does not hold (made before it was
// linked, or in another chat app) is dropped.
func (t *Translator) pollVote(ctx context.Context, e *events.Message, info types.MessageInfo) error {
	if t.DecryptPollVote == nil || t.Votes == nil {
		return nil
	}
	vote, err := t.DecryptPollVote(ctx, e)
	if err != nil {
		// Without the poll's secret (a poll zapgate never saw) the vote
		// cannot be read: nothing to tally.
		t.Log.Warn("decrypt poll vote", "instance", t.InstanceID, "wa_message_id", info.ID, "err", err)
		return nil
	}
	voter, _ := sender(info.MessageSource)
	hashes := vote.GetSelectedOptions()
	if hashes == nil {
		hashes = [][]byte{} // no option chosen: the vote is withdrawn
	}
	_, err = t.Votes.ReceivePollVote(ctx, app.PollVote{
		InstanceID: t.InstanceID, TargetWAMessageID: e.Message.GetPollUpdateMessage().GetPollCreationMessageKey().GetID(),
		WAMessageID: info.ID, Voter: voter, SelectedHashes: hashes, At: info.Timestamp,
	})
	if domain.IsNotFound(err) {
		return nil
	}
	var de *domain.Error
	if errors.As(err, &de) && de.Kind == domain.KindInvalid {
		t.Log.Warn("poll vote refused", "instance", t.InstanceID, "wa_message_id", info.ID, "err", err)
		return nil
	}
	return err
}
