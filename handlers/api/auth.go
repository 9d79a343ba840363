package api

import (
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/zapgate/zapgate/app"
	"github.com/zapgate/zapgate/domain"
)

const principalKey = "principal"

// authenticate resolves the bearer token into a principal.
func (s *Server) authenticate(c *fiber.Ctx) error {
	p, err := s.app.Authenticate(c.UserContext(), bearer(c))
	if err != nil {
		return err
	}
	c.Locals(principalKey, p)
	return c.Next()
}

func principal(c *fiber.Ctx) app.Principal {
	p, _ := c.Locals(principalKey).(app.Principal)
	return p
}

// adminOnly hides admin routes from other tokens as if they did not exist.
func (s *Server) adminOnly(c *fiber.Ctx) error {
	if !principal(c).Admin {
		return domain.NotFound("resource")
	}
	return c.Next()
}

// instanceAccess lets the admin and the instance's own token through; for
// any other instance the answer is 404, never 403, so ids do not leak.
func (s *Server) instanceAccess(c *fiber.Ctx) error {
	if !principal(c).CanAccess(c.Params("id")) {
		return domain.NotFound("instance")
	}
	return c.Next()
}

func (s *Server) notFound(c *fiber.Ctx) error {
	return domain.NotFound("route")
}

// bearer is the token of an "Authorization: Bearer" header, or "".
func bearer(c *fiber.Ctx) string {
	scheme, rest, ok := strings.Cut(c.Get(fiber.HeaderAuthorization), " ")
	if ok && strings.EqualFold(scheme, "bearer") {
		return strings.TrimSpace(rest)
	}
	return ""
}
