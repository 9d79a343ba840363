package api

import (
	"encoding/json"

	"github.com/gofiber/fiber/v2"

	"github.com/zapgate/zapgate/app"
	"github.com/zapgate/zapgate/domain"
)

type createInstanceRequest struct {
	Name string `json:"name"`
}

func (s *Server) createInstance(c *fiber.Ctx) error {
	var req createInstanceRequest
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	in, token, err := s.app.CreateInstance(c.UserContext(), req.Name)
	if err != nil {
		return err
	}
	v := toInstanceView(in)
	v.Token = token
	return c.Status(fiber.StatusCreated).JSON(v)
}

func (s *Server) listInstances(c *fiber.Ctx) error {
	p, err := queryPage(c)
	if err != nil {
		return err
	}
	items, next, err := s.app.ListInstances(c.UserContext(), p)
	if err != nil {
		return err
	}
	return c.JSON(listOf(items, next, toInstanceView))
}

func (s *Server) getInstance(c *fiber.Ctx) error {
	in, f, err := s.app.GetInstanceWithFigures(c.UserContext(), c.Params("id"))
	if err != nil {
		return err
	}
	return c.JSON(withFigures(in, f))
}

func (s *Server) deleteInstance(c *fiber.Ctx) error {
	if err := s.app.DeleteInstance(c.UserContext(), c.Params("id")); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

func (s *Server) patchInstance(c *fiber.Ctx) error {
	var req map[string]json.RawMessage
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	var p app.InstancePatch
	if raw, ok := req["name"]; ok {
		var name string
		if err := json.Unmarshal(raw, &name); err != nil {
			return domain.InvalidField("name", "must be a string")
		}
		p.Name = &name
	}
	if raw, ok := req["send_rate_per_minute"]; ok {
		p.SetSendRate = true
		if string(raw) != "null" {
			var n int
			if err := json.Unmarshal(raw, &n); err != nil {
				return domain.InvalidField("send_rate_per_minute", "must be a whole number or null")
			}
			p.SendRate = &n
		}
	}
	if raw, ok := req["closing_message"]; ok {
		var text string
		if string(raw) != "null" {
			if err := json.Unmarshal(raw, &text); err != nil {
				return domain.InvalidField("closing_message", "must be a string or null")
			}
		}
		p.ClosingMessage = &text
	}
	if raw, ok := req["feedback_when_unanswered"]; ok {
		var ask bool
		if err := json.Unmarshal(raw, &ask); err != nil || string(raw) == "null" {
			return domain.InvalidField("feedback_when_unanswered", "must be true or false")
		}
		p.FeedbackWhenUnanswered = &ask
	}
	if err := bindHoursPatch(req, &p); err != nil {
		return err
	}
	if raw, ok := req["attend_groups"]; ok {
		var on bool
		if err := json.Unmarshal(raw, &on); err != nil || string(raw) == "null" {
			return domain.InvalidField("attend_groups", "must be true or false")
		}
		p.AttendGroups = &on
	}
	for _, f := range []struct {
		name string
		dst  **int
	}{{"new_contacts_per_day", &p.NewContactsPerDay}, {"warmup_days", &p.WarmupDays}} {
		if raw, ok := req[f.name]; ok {
			var n int
			if err := json.Unmarshal(raw, &n); err != nil || string(raw) == "null" {
				return domain.InvalidField(f.name, "must be a whole number")
			}
			*f.dst = &n
		}
	}
	if _, err := s.app.UpdateInstance(c.UserContext(), c.Params("id"), p); err != nil {
		return err
	}
	in, f, err := s.app.GetInstanceWithFigures(c.UserContext(), c.Params("id"))
	if err != nil {
		return err
	}
	return c.JSON(withFigures(in, f))
}

// withFigures is one instance with its sending figures of the last 24 h
// (lists leave them out).
func withFigures(in *domain.Instance, f app.SendingFigures) instanceView {
	v := toInstanceView(in)
	v.Sent24h, v.NewContacts24h, v.HeldMessages = &f.Sent24h, &f.NewContacts24h, &f.Held
	return v
}
