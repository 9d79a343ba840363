package api

import (
	"github.com/gofiber/fiber/v2"

	"github.com/zapgate/zapgate/app"
	"github.com/zapgate/zapgate/domain"
)

// simPollVote is the sim inbound type of a vote on a poll; it is no
// message type, since a vote never becomes a message.
const simPollVote = "poll_vote"

// simKinds are the inbound fields of locations, contact cards, polls and
// poll votes, as a phone would send them.
type simKinds struct {
	Location *domain.LocationDraft `json:"location"`
	Contacts []domain.ContactCard  `json:"contacts"`
	Poll     *domain.PollDraft     `json:"poll"`
	// TargetWAMessageID is the poll a poll_vote is for; Selected names the
	// options chosen ([] withdraws the vote).
	TargetWAMessageID string   `json:"target_wa_message_id"`
	Selected          []string `json:"selected"`
}

// fill checks the typed fields of a location, contact or poll by the
// rules of a sent one and puts them in the draft. The contact cards
// arrive as vCards, as from a phone.
func (k simKinds) fill(d *domain.IncomingDraft) error {
	var err error
	switch d.Type {
	case domain.TypeLocation:
		d.Location, err = domain.ParseLocation(k.Location)
	case domain.TypeContact:
		var cards []domain.ContactCard
		if cards, err = domain.ParseContacts(k.Contacts); err == nil {
			for _, c := range cards {
				card := domain.ParseVCard(domain.VCard(c))
				card.Name = c.Name // as a phone's DisplayName
				d.Contacts = append(d.Contacts, card)
			}
		}
	case domain.TypePoll:
		d.Poll, err = domain.ParsePoll(k.Poll)
	}
	return err
}

// simVote delivers a vote of the person `from` on a poll of the instance,
// as WhatsApp would (the voter is the sender).
func (s *Server) simVote(c *fiber.Ctx, voter simSentBy, waMessageID string, k simKinds) error {
	if k.TargetWAMessageID == "" {
		return domain.InvalidField("target_wa_message_id", "is required for a poll_vote")
	}
	if k.Selected == nil {
		return domain.InvalidField("selected", "is required for a poll_vote ([] withdraws the vote)")
	}
	for _, f := range []struct{ name, v string }{{"target_wa_message_id", k.TargetWAMessageID}, {"wa_message_id", waMessageID}} {
		if err := domain.CheckText(f.name, f.v); err != nil {
			return err
		}
	}
	for _, name := range k.Selected {
		if err := domain.CheckText("selected", name); err != nil {
			return err
		}
	}
	id, err := s.simInstance(c)
	if err != nil {
		return err
	}
	if waMessageID == "" {
		waMessageID = domain.NewWAMessageID()
	}
	counted, err := s.app.ReceivePollVote(c.UserContext(), app.PollVote{InstanceID: id, TargetWAMessageID: k.TargetWAMessageID,
		WAMessageID: waMessageID, Voter: voter.from, Selected: k.Selected})
	if err != nil {
		return err
	}
	status := fiber.StatusCreated
	if !counted {
		status = fiber.StatusOK // the same vote again
	}
	return c.Status(status).JSON(fiber.Map{"wa_message_id": waMessageID, "created": counted})
}
