package api

import (
	"net/url"

	"github.com/gofiber/fiber/v2"

	"github.com/zapgate/zapgate/domain"
)

// contactView is a contact as the API shows it.
type contactView struct {
	JID          string `json:"jid"`
	Phone        string `json:"phone"`
	LID          string `json:"lid"`
	Name         string `json:"name"`
	PushName     string `json:"push_name"`
	BusinessName string `json:"business_name"`
	Blocked      bool   `json:"blocked"`
}

func toContactView(c *domain.Contact) contactView {
	return contactView{JID: c.JID, Phone: c.Phone, LID: c.LID, Name: c.Name, PushName: c.PushName,
		BusinessName: c.BusinessName, Blocked: c.Blocked}
}

func (s *Server) listContacts(c *fiber.Ctx) error {
	p, err := queryPage(c)
	if err != nil {
		return err
	}
	items, next, err := s.app.ListContacts(c.UserContext(), c.Params("id"), c.Query("q"), p)
	if err != nil {
		return err
	}
	return c.JSON(listOf(items, next, toContactView))
}

// contactAddress is the {address} of a contact route; a JID carries "@",
// which clients may escape.
func contactAddress(c *fiber.Ctx) (string, error) {
	address, err := url.PathUnescape(c.Params("address"))
	if err != nil {
		return "", domain.InvalidField("address", domain.AddressRule)
	}
	return address, nil
}

func (s *Server) getContact(c *fiber.Ctx) error {
	address, err := contactAddress(c)
	if err != nil {
		return err
	}
	ct, err := s.app.GetContact(c.UserContext(), c.Params("id"), address)
	if err != nil {
		return err
	}
	return c.JSON(toContactView(ct))
}

func (s *Server) contactPicture(c *fiber.Ctx) error {
	address, err := contactAddress(c)
	if err != nil {
		return err
	}
	cmd, err := s.app.GetContactPicture(c.UserContext(), c.Params("id"), address)
	if err != nil {
		return err
	}
	return s.answerCommand(c, cmd)
}

func (s *Server) blockContact(c *fiber.Ctx) error {
	address, err := contactAddress(c)
	if err != nil {
		return err
	}
	cmd, err := s.app.BlockContact(c.UserContext(), c.Params("id"), address)
	if err != nil {
		return err
	}
	return s.answerCommand(c, cmd)
}

func (s *Server) unblockContact(c *fiber.Ctx) error {
	address, err := contactAddress(c)
	if err != nil {
		return err
	}
	cmd, err := s.app.UnblockContact(c.UserContext(), c.Params("id"), address)
	if err != nil {
		return err
	}
	return s.answerCommand(c, cmd)
}
