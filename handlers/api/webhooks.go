package api

import (
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/zapgate/zapgate/domain"
)

type webhookView struct {
	ID        string    `json:"id"`
	URL       string    `json:"url"`
	Events    []string  `json:"events"`
	CreatedAt time.Time `json:"created_at"`
	Secret    string    `json:"secret,omitempty"`
}

func toWebhookView(w *domain.Webhook) webhookView {
	evs := w.Events
	if evs == nil {
		evs = []string{}
	}
	return webhookView{ID: w.ID, URL: w.URL, Events: evs, CreatedAt: w.CreatedAt}
}

type deliveryView struct {
	ID             string    `json:"id"`
	EventID        string    `json:"event_id"`
	EventType      string    `json:"event_type"`
	Replayed       bool      `json:"replayed"`
	Status         string    `json:"status"`
	Attempts       int       `json:"attempts"`
	LastStatusCode int       `json:"last_status_code"`
	LastError      string    `json:"last_error"`
	NextAttemptAt  time.Time `json:"next_attempt_at"`
	CreatedAt      time.Time `json:"created_at"`
	UpdatedAt      time.Time `json:"updated_at"`
}

func toDeliveryView(d *domain.Delivery) deliveryView {
	return deliveryView{ID: d.ID, EventID: d.EventID, EventType: d.EventType, Replayed: d.ReplayID != "",
		Status: d.Status, Attempts: d.Attempts, LastStatusCode: d.LastStatusCode, LastError: d.LastError,
		NextAttemptAt: d.NextAttemptAt, CreatedAt: d.CreatedAt, UpdatedAt: d.UpdatedAt}
}

func (s *Server) createWebhook(c *fiber.Ctx) error {
	var req struct {
		URL    string   `json:"url"`
		Events []string `json:"events"`
	}
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	w, err := s.app.CreateWebhook(c.UserContext(), c.Params("id"), req.URL, req.Events)
	if err != nil {
		return err
	}
	v := toWebhookView(w)
	v.Secret = w.Secret
	return c.Status(fiber.StatusCreated).JSON(v)
}

func (s *Server) listWebhooks(c *fiber.Ctx) error {
	ws, err := s.app.ListWebhooks(c.UserContext(), c.Params("id"))
	if err != nil {
		return err
	}
	return c.JSON(listOf(ws, "", toWebhookView))
}

func (s *Server) deleteWebhook(c *fiber.Ctx) error {
	if err := s.app.DeleteWebhook(c.UserContext(), c.Params("id"), c.Params("wid")); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

func (s *Server) listDeliveries(c *fiber.Ctx) error {
	p, err := queryPage(c)
	if err != nil {
		return err
	}
	ds, next, err := s.app.ListDeliveries(c.UserContext(), c.Params("id"), c.Params("wid"), p)
	if err != nil {
		return err
	}
	return c.JSON(listOf(ds, next, toDeliveryView))
}

func (s *Server) redeliver(c *fiber.Ctx) error {
	if err := s.app.Redeliver(c.UserContext(), c.Params("id"), c.Params("wid"), c.Params("did")); err != nil {
		return err
	}
	return c.Status(fiber.StatusAccepted).JSON(fiber.Map{"id": c.Params("did"), "status": domain.DeliveryPending})
}
