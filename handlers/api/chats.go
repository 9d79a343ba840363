package api

import (
	"github.com/gofiber/fiber/v2"
)

// readChat sends read receipts: the messages named, or every unread
// incoming message of the chat when the body names none (or is empty).
func (s *Server) readChat(c *fiber.Ctx) error {
	var req struct {
		MessageIDs []string `json:"message_ids"`
	}
	if len(c.Body()) > 0 {
		if err := bindJSON(c, &req); err != nil {
			return err
		}
	}
	address, err := contactAddress(c)
	if err != nil {
		return err
	}
	cmd, err := s.app.ReadChat(c.UserContext(), c.Params("id"), address, req.MessageIDs)
	if err != nil {
		return err
	}
	return s.answerCommand(c, cmd)
}

// chatPresence shows the chat typing…, recording audio… or neither.
func (s *Server) chatPresence(c *fiber.Ctx) error {
	var req struct {
		State string `json:"state"`
	}
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	address, err := contactAddress(c)
	if err != nil {
		return err
	}
	cmd, err := s.app.SetChatPresence(c.UserContext(), c.Params("id"), address, req.State)
	if err != nil {
		return err
	}
	return s.answerCommand(c, cmd)
}
