package api

import (
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/zapgate/zapgate/domain"
)

// healthView is an instance's standing with WhatsApp; until is null when ok.
type healthView struct {
	State  string     `json:"state"`
	Reason string     `json:"reason"`
	Until  *time.Time `json:"until"`
}

func toHealthView(h domain.Health) healthView {
	return healthView{State: string(h.State()), Reason: h.Reason(), Until: h.Until()}
}

// resumeInstance lifts a pause or ban early: 200 with the instance, 409
// not_paused when its health is ok.
func (s *Server) resumeInstance(c *fiber.Ctx) error {
	in, err := s.app.ResumeInstance(c.UserContext(), c.Params("id"))
	if err != nil {
		return err
	}
	return c.JSON(toInstanceView(in))
}
