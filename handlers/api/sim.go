package api

import (
	"context"
	"encoding/json"
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/zapgate/zapgate/app"
	"github.com/zapgate/zapgate/domain"
)

// SimNetwork is the control side of the simulated WhatsApp, as the sim
// routes use it; cmd/zapgate adapts the sim driver to it, so this package
// does not depend on the driver.
type SimNetwork interface {
	Scan(ctx context.Context, instanceID, phone string) error
	Sent(ctx context.Context, instanceID string, limit int, after int64) ([]SimSent, error)
	Stats(ctx context.Context) (SimStats, error)
	SetFaults(ctx context.Context, instanceID, sendError string, disconnect bool, banSeconds int) error
	// AddContact sets what contacts/check answers for phone, and their
	// profile picture's URL ("" = hidden).
	AddContact(ctx context.Context, phone, lid, name string, business, onWhatsApp bool, pictureURL string) error
	// AddGroup creates a group elsewhere with people (phones) and instances
	// as members, and returns its JID.
	AddGroup(ctx context.Context, subject string, phones, instanceIDs []string) (string, error)
}

// SimSent is one message an instance sent into the simulated WhatsApp, as
// GET /v1/sim/instances/{id}/sent lists it.
type SimSent struct {
	Seq         int64    `json:"-"` // the page cursor
	To          string   `json:"to"`
	Chat        string   `json:"chat"` // the JID the send went to
	Type        string   `json:"type"`
	Text        string   `json:"text"`
	Caption     string   `json:"caption"`
	Mime        string   `json:"mime"`
	Filename    string   `json:"filename"`
	SHA256      string   `json:"sha256"`
	WAMessageID string   `json:"wa_message_id"`
	Mentions    []string `json:"mentions"` // JIDs, [] when none
	// What a location, contact or poll send carried; null otherwise.
	Location json.RawMessage `json:"location"`
	Contacts json.RawMessage `json:"contacts"`
	Poll     json.RawMessage `json:"poll"`
	At       time.Time       `json:"at"`
	// Kind is message, reaction, edit, revoke, read (a read receipt of
	// MessageIDs) or presence (State); a voice note shows PTT. The others
	// name the message a send quotes or points at, and a reaction's emoji.
	Kind              string   `json:"kind"`
	PTT               bool     `json:"ptt"`
	State             string   `json:"state"`
	TargetWAMessageID string   `json:"target_wa_message_id"`
	MessageIDs        []string `json:"message_ids"`
	ReplyToWAID       string   `json:"reply_to_wa_message_id"`
	Emoji             string   `json:"emoji"`
}

// SimStats is the answer of GET /v1/sim/stats.
type SimStats struct {
	Sent      int64 `json:"sent"`
	Distinct  int64 `json:"distinct"`
	Instances int64 `json:"instances"`
}

// simInstance checks that the instance exists before the sim acts on it.
func (s *Server) simInstance(c *fiber.Ctx) (string, error) {
	id := c.Params("id")
	if _, err := s.app.GetInstance(c.UserContext(), id); err != nil {
		return "", err
	}
	return id, nil
}

func (s *Server) simScan(c *fiber.Ctx) error {
	var req struct {
		Phone string `json:"phone"`
	}
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	id, err := s.simInstance(c)
	if err != nil {
		return err
	}
	if err := s.sim.Scan(c.UserContext(), id, req.Phone); err != nil {
		return err
	}
	in, err := s.app.GetInstance(c.UserContext(), id)
	if err != nil {
		return err
	}
	return c.JSON(toInstanceView(in))
}

func (s *Server) simSent(c *fiber.Ctx) error {
	id, err := s.simInstance(c)
	if err != nil {
		return err
	}
	limit := 1000
	if l := c.Query("limit"); l != "" {
		n, err := strconv.Atoi(l)
		if err != nil || n < 1 || n > 10000 {
			return domain.InvalidField("limit", "must be a number from 1 to 10000")
		}
		limit = n
	}
	var after int64
	if cur := c.Query("cursor"); cur != "" {
		n, err := strconv.ParseInt(cur, 10, 64)
		if err != nil || n < 0 {
			return domain.InvalidField("cursor", "is not a cursor this API returned")
		}
		after = n
	}
	items, err := s.sim.Sent(c.UserContext(), id, limit, after)
	if err != nil {
		return err
	}
	next := ""
	if len(items) == limit {
		next = strconv.FormatInt(items[len(items)-1].Seq, 10)
	}
	return c.JSON(fiber.Map{"items": items, "next": next})
}

func (s *Server) simStats(c *fiber.Ctx) error {
	st, err := s.sim.Stats(c.UserContext())
	if err != nil {
		return err
	}
	return c.JSON(st)
}

func (s *Server) simFaults(c *fiber.Ctx) error {
	var req struct {
		SendError  string `json:"send_error"`
		Disconnect bool   `json:"disconnect"`
		BanSeconds int    `json:"ban_seconds"`
	}
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	id, err := s.simInstance(c)
	if err != nil {
		return err
	}
	if err := s.sim.SetFaults(c.UserContext(), id, req.SendError, req.Disconnect, req.BanSeconds); err != nil {
		return err
	}
	return c.JSON(fiber.Map{"send_error": req.SendError, "disconnect": req.Disconnect, "ban_seconds": req.BanSeconds})
}

// simInbound delivers a message as if the phone `from` wrote to the
// instance; it takes the same path as a message from WhatsApp.
func (s *Server) simInbound(c *fiber.Ctx) error {
	var req struct {
		From        string        `json:"from"`
		FromPhone   string        `json:"from_phone"`
		PushName    string        `json:"push_name"`
		Type        string        `json:"type"`
		Text        string        `json:"text"`
		Caption     string        `json:"caption"`
		Media       *mediaRequest `json:"media"`
		WAMessageID string        `json:"wa_message_id"`
		Group       string        `json:"group"`
		Mentions    []string      `json:"mentions"`
		simKinds
		ReplyToWAID string `json:"reply_to_wa_message_id"`
		Emoji       string `json:"emoji"`
	}
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	sender, err := simSender(req.From, req.FromPhone)
	if err != nil {
		return err
	}
	if err := domain.CheckText("reply_to_wa_message_id", req.ReplyToWAID); err != nil {
		return err
	}
	if req.Type == simPollVote {
		return s.simVote(c, sender, req.WAMessageID, req.simKinds)
	}
	switch kind := app.ChangeKind(req.Type); kind {
	case app.ChangeReaction, app.ChangeEdit, app.ChangeRevoke:
		return s.simInboundChange(c, req.WAMessageID, app.IncomingChange{Kind: kind, TargetWAID: req.TargetWAMessageID,
			From: sender.from, Emoji: req.Emoji, Text: req.Text})
	}
	typ := domain.MessageType(req.Type)
	if req.Type == "" {
		typ = domain.TypeText
	}
	if _, ok := domain.ParseMessageType(string(typ)); !ok {
		return domain.InvalidField("type", domain.TypeRule+", poll_vote, edit, revoke")
	}
	if typ == domain.TypeText && req.Text == "" {
		return domain.InvalidField("text", "is required for a text message")
	}
	// Ids name things and are refused; what the person wrote is cleaned
	// when stored, as for real WhatsApp messages.
	if err := domain.CheckText("wa_message_id", req.WAMessageID); err != nil {
		return err
	}
	mentions, err := domain.ParseMentions(req.Mentions)
	if err != nil {
		return err
	}
	var group domain.Address
	if req.Group != "" {
		var ok bool
		if group, ok = domain.ParseAddress(req.Group); !ok || !group.IsGroup() {
			return domain.InvalidField("group", "must be a group JID (…@g.us)")
		}
	}
	id, err := s.simInstance(c)
	if err != nil {
		return err
	}
	d := domain.IncomingDraft{InstanceID: id, WAMessageID: req.WAMessageID, From: sender.from, FromLID: sender.lid,
		PushName: req.PushName, Type: typ, Text: req.Text, Caption: req.Caption, IsGroup: group.IsGroup(), Chat: group.JID(),
		Mentions: mentions, QuotedWAID: req.ReplyToWAID}
	if group.IsGroup() {
		// The member who wrote, by the address they wrote from (a LID in
		// LID-addressed groups), as whatsmeow's Sender.
		d.Participant = sender.jid
	} else {
		d.Chat = sender.jid
	}
	if d.WAMessageID == "" {
		d.WAMessageID = domain.NewWAMessageID()
	}
	if err := req.simKinds.fill(&d); err != nil {
		return err
	}
	var media *app.IncomingMedia
	if typ.IsMedia() {
		if req.Media == nil {
			return domain.InvalidField("media", "is required for a "+string(typ)+" message")
		}
		data, declared, err := domain.DecodeMediaData(req.Media.Data)
		if err != nil {
			return err
		}
		mime := req.Media.Mime
		if mime == "" {
			mime = declared
		}
		media = &app.IncomingMedia{Data: data, Mime: mime, Filename: req.Media.Filename}
	}
	m, created, err := s.app.ReceiveMessage(c.UserContext(), d, media)
	if err != nil {
		return err
	}
	status := fiber.StatusCreated
	if !created {
		status = fiber.StatusOK
	}
	return c.Status(status).JSON(fiber.Map{"wa_message_id": m.WAMessageID, "created": created})
}

// simInboundChange applies an inbound reaction, edit or revoke: it
// changes the message it points at and never becomes a message, so the
// answer is 200 with created false and the id of the changed message.
func (s *Server) simInboundChange(c *fiber.Ctx, waID string, ch app.IncomingChange) error {
	if err := domain.CheckText("wa_message_id", waID); err != nil {
		return err
	}
	if waID == "" {
		waID = domain.NewWAMessageID()
	}
	switch ch.Kind {
	case app.ChangeReaction:
		if err := domain.CheckText("emoji", ch.Emoji); err != nil {
			return err
		}
	case app.ChangeEdit:
		if err := domain.CheckText("text", ch.Text); err != nil {
			return err
		}
		if ch.Text == "" {
			return domain.InvalidField("text", "is required for an edit: the new text")
		}
	}
	id, err := s.simInstance(c)
	if err != nil {
		return err
	}
	ch.InstanceID = id
	m, err := s.app.ReceiveChange(c.UserContext(), ch)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"wa_message_id": waID, "created": false, "kind": ch.Kind, "message_id": m.ID,
		"target_wa_message_id": m.WAMessageID})
}

// simSentBy is who wrote an inbound message, as whatsmeow's MessageSource
// shows them: from is the phone when known, else the LID JID; lid the LID
// JID when they wrote by LID; jid the address they wrote from.
type simSentBy struct{ from, lid, jid string }

// simSender reads `from` (a phone, a phone JID or a LID JID: a person) and
// `from_phone` (the phone of a LID sender, as whatsmeow's SenderAlt).
func simSender(from, fromPhone string) (simSentBy, error) {
	addr, ok := domain.ParseAddress(from)
	if !ok || addr.IsGroup() {
		return simSentBy{}, domain.InvalidField("from", "must be a phone number or a person's JID (…@s.whatsapp.net, …@lid)")
	}
	if !addr.IsLID() {
		if fromPhone != "" {
			return simSentBy{}, domain.InvalidField("from_phone", "is only for a sender known by LID (from …@lid)")
		}
		return simSentBy{from: addr.Phone(), jid: addr.JID()}, nil
	}
	by := simSentBy{from: addr.JID(), lid: addr.JID(), jid: addr.JID()}
	if fromPhone != "" {
		phone, ok := domain.NormalizePhone(fromPhone)
		if !ok {
			return simSentBy{}, domain.InvalidField("from_phone", domain.PhoneRule)
		}
		by.from = phone
	}
	return by, nil
}

// simContact sets what contacts/check answers for a phone; phones never
// added are not on WhatsApp.
func (s *Server) simContact(c *fiber.Ctx) error {
	var req struct {
		Phone      string `json:"phone"`
		LID        string `json:"lid"`
		Name       string `json:"name"`
		Business   bool   `json:"business"`
		OnWhatsApp *bool  `json:"on_whatsapp"`
		PictureURL string `json:"picture_url"`
	}
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	phone, ok := domain.NormalizePhone(req.Phone)
	if !ok {
		return domain.InvalidField("phone", domain.PhoneRule)
	}
	if err := domain.CheckText("lid", req.LID); err != nil {
		return err
	}
	if err := domain.CheckText("name", req.Name); err != nil {
		return err
	}
	if err := domain.CheckText("picture_url", req.PictureURL); err != nil {
		return err
	}
	on := req.OnWhatsApp == nil || *req.OnWhatsApp
	if err := s.sim.AddContact(c.UserContext(), phone, req.LID, req.Name, req.Business, on, req.PictureURL); err != nil {
		return err
	}
	return c.JSON(fiber.Map{"phone": phone, "lid": req.LID, "name": req.Name, "business": req.Business, "on_whatsapp": on,
		"picture_url": req.PictureURL})
}
