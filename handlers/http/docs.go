package http

import "github.com/gofiber/fiber/v2"

// placeholder until the OpenAPI document lands
func (s *Server) openapiYAML(c *fiber.Ctx) error { return c.SendStatus(fiber.StatusNotImplemented) }
func (s *Server) docs(c *fiber.Ctx) error        { return c.SendStatus(fiber.StatusNotImplemented) }
