package api

import (
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/zapgate/zapgate/app"
	"github.com/zapgate/zapgate/domain"
)

type sendMessageRequest struct {
	To      string        `json:"to"`
	Type    string        `json:"type"`
	Text    string        `json:"text"`
	Caption string        `json:"caption"`
	Media   *mediaRequest `json:"media"`
	SendAt  *string       `json:"send_at"`
	// Mentions are addresses of people; MentionAll mentions every member
	// of the group `to`.
	Mentions   []string `json:"mentions"`
	MentionAll bool     `json:"mention_all"`
	// What a location, contact or poll message carries.
	Location *domain.LocationDraft `json:"location"`
	Contacts []domain.ContactCard  `json:"contacts"`
	Poll     *domain.PollDraft     `json:"poll"`
	// PTT sends audio as a voice note.
	PTT bool `json:"ptt"`
	// ReplyTo quotes a message of the instance; MessageID and Emoji make
	// a reaction (an emoji that is there and "" removes ours).
	ReplyTo   string  `json:"reply_to"`
	MessageID string  `json:"message_id"`
	Emoji     *string `json:"emoji"`
}

type mediaRequest struct {
	Data     string `json:"data"`
	URL      string `json:"url"` // fetched by zapgate instead of data
	Mime     string `json:"mime"`
	Filename string `json:"filename"`
}

// parseSendMessage turns a request body into the app command: JSON shape,
// send_at and inline media are decoded here; the rules live in domain.
func parseSendMessage(body []byte) (app.SendMessage, error) {
	var req sendMessageRequest
	if err := decodeJSON(body, &req); err != nil {
		return app.SendMessage{}, err
	}
	return req.command()
}

// command is the app command the request asks for; inline media is
// decoded here, media by URL is fetched by the app.
func (req sendMessageRequest) command() (app.SendMessage, error) {
	cmd := app.SendMessage{To: req.To, Type: req.Type, Text: req.Text, Caption: req.Caption,
		Mentions: req.Mentions, MentionAll: req.MentionAll, Location: req.Location, Contacts: req.Contacts, Poll: req.Poll, PTT: req.PTT,
		ReplyTo: req.ReplyTo, MessageID: req.MessageID}
	if req.Emoji != nil {
		cmd.Emoji = *req.Emoji
	} else if req.Type == string(domain.TypeReaction) {
		return cmd, domain.InvalidField("emoji", "is required for a reaction: one emoji, or \"\" to remove the reaction")
	}
	if req.SendAt != nil && strings.TrimSpace(*req.SendAt) != "" {
		at, err := time.Parse(time.RFC3339, *req.SendAt)
		if err != nil {
			return cmd, domain.InvalidField("send_at", "must be an RFC 3339 time like 2026-12-01T12:00:00Z")
		}
		cmd.SendAt = &at
	}
	if req.Media != nil && req.Media.URL != "" && req.Media.Data == "" {
		cmd.Media = &app.MediaUpload{URL: req.Media.URL, Mime: req.Media.Mime, Filename: req.Media.Filename}
	} else if req.Media != nil {
		if req.Media.URL != "" {
			return cmd, domain.InvalidField("media", "takes data or url, not both")
		}
		data, declared, err := domain.DecodeMediaData(req.Media.Data)
		if err != nil {
			return cmd, err
		}
		mime := req.Media.Mime
		if mime == "" {
			mime = declared
		}
		cmd.Media = &app.MediaUpload{Data: data, Mime: mime, Filename: req.Media.Filename}
	}
	return cmd, nil
}

func (s *Server) sendMessage(c *fiber.Ctx) error {
	cmd, err := s.parseSend(c)
	if err != nil {
		return err
	}
	cmd.InstanceID = c.Params("id")
	cmd.IdempotencyKey = c.Get("Idempotency-Key")
	m, created, err := s.app.SendMessage(c.UserContext(), cmd)
	if err != nil {
		return err
	}
	status := fiber.StatusAccepted
	if !created {
		status = fiber.StatusOK
	} else {
		s.metrics.MessagesAccepted.WithLabelValues(string(m.Type)).Inc()
	}
	return c.Status(status).JSON(toMessageView(m))
}

func (s *Server) getMessage(c *fiber.Ctx) error {
	m, err := s.app.GetMessage(c.UserContext(), c.Params("id"), c.Params("mid"))
	if err != nil {
		return err
	}
	return c.JSON(toMessageView(m))
}

func (s *Server) getMessageMedia(c *fiber.Ctx) error {
	data, media, err := s.app.MessageMedia(c.UserContext(), principal(c), c.Params("id"), c.Params("mid"))
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, media.Mime)
	if media.Filename != "" {
		c.Attachment(media.Filename)
	}
	return c.Send(data)
}

func (s *Server) listMessages(c *fiber.Ctx) error {
	p, err := queryPage(c)
	if err != nil {
		return err
	}
	items, next, err := s.app.ListMessages(c.UserContext(), app.MessageFilter{
		Page: p, InstanceID: c.Params("id"),
		Direction: domain.Direction(c.Query("direction")), Status: domain.MessageStatus(c.Query("status")),
	})
	if err != nil {
		return err
	}
	return c.JSON(listOf(items, next, toMessageView))
}

func (s *Server) cancelMessage(c *fiber.Ctx) error {
	m, err := s.app.CancelMessage(c.UserContext(), c.Params("id"), c.Params("mid"))
	if err != nil {
		return err
	}
	return c.JSON(toMessageView(m))
}

func (s *Server) editMessage(c *fiber.Ctx) error {
	var req struct {
		Text *string `json:"text"`
	}
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	if req.Text == nil {
		return domain.InvalidField("text", "is required: the new text")
	}
	cmd, err := s.app.EditMessage(c.UserContext(), c.Params("id"), c.Params("mid"), *req.Text)
	if err != nil {
		return err
	}
	return s.answerCommand(c, cmd)
}

func (s *Server) revokeMessage(c *fiber.Ctx) error {
	cmd, err := s.app.RevokeMessage(c.UserContext(), c.Params("id"), c.Params("mid"))
	if err != nil {
		return err
	}
	return s.answerCommand(c, cmd)
}
