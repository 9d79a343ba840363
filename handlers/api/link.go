package api

import (
	"encoding/base64"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/zapgate/zapgate/domain"
)

// getQR answers the current QR code as JSON, or the PNG itself when the
// client prefers image/png.
func (s *Server) getQR(c *fiber.Ctx) error {
	qr, err := s.app.InstanceQR(c.UserContext(), c.Params("id"))
	if err != nil {
		return err
	}
	if strings.Contains(c.Get(fiber.HeaderAccept), "image/png") {
		c.Set(fiber.HeaderContentType, "image/png")
		c.Set(fiber.HeaderCacheControl, "no-store")
		return c.Send(qr.PNG)
	}
	return c.JSON(fiber.Map{"code": qr.Code, "png_base64": base64.StdEncoding.EncodeToString(qr.PNG), "expires_at": qr.ExpiresAt})
}

func (s *Server) pairCode(c *fiber.Ctx) error {
	var req struct {
		Phone string `json:"phone"`
	}
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	code, err := s.app.PairCode(c.UserContext(), c.Params("id"), req.Phone)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"code": code})
}

func (s *Server) logout(c *fiber.Ctx) error {
	cmd, err := s.app.RequestLogout(c.UserContext(), c.Params("id"))
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusAccepted).JSON(fiber.Map{"command_id": cmd.ID})
}

func (s *Server) simReceipt(c *fiber.Ctx) error {
	var req struct {
		WAMessageID string `json:"wa_message_id"`
		Status      string `json:"status"`
	}
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	st := domain.MessageStatus(req.Status)
	if st != domain.StatusDelivered && st != domain.StatusRead {
		return domain.InvalidField("status", "must be delivered or read")
	}
	if req.WAMessageID == "" {
		return domain.InvalidField("wa_message_id", "is required")
	}
	if err := domain.CheckText("wa_message_id", req.WAMessageID); err != nil {
		return err
	}
	id, err := s.simInstance(c)
	if err != nil {
		return err
	}
	if err := s.app.ApplyReceipt(c.UserContext(), id, req.WAMessageID, st, time.Now().UTC()); err != nil {
		return err
	}
	return c.JSON(fiber.Map{"wa_message_id": req.WAMessageID, "status": req.Status})
}
