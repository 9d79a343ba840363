package api

import (
	"context"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/zapgate/zapgate/app"
	"github.com/zapgate/zapgate/domain"
)

type teamView struct {
	ID           string    `json:"id"`
	Name         string    `json:"name"`
	InstanceIDs  []string  `json:"instance_ids"`
	AttendantIDs []string  `json:"attendant_ids"`
	Routing      string    `json:"routing"`
	CreatedAt    time.Time `json:"created_at"`
	UpdatedAt    time.Time `json:"updated_at"`
}

func toTeamView(t *domain.Team) teamView {
	return teamView{ID: t.ID, Name: t.Name, InstanceIDs: t.InstanceIDs, AttendantIDs: t.AttendantIDs, Routing: string(t.Routing),
		CreatedAt: t.CreatedAt, UpdatedAt: t.UpdatedAt}
}

func (s *Server) createTeam(c *fiber.Ctx) error {
	var req struct {
		Name         string   `json:"name"`
		InstanceIDs  []string `json:"instance_ids"`
		AttendantIDs []string `json:"attendant_ids"`
		Routing      string   `json:"routing"`
	}
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	t, err := s.app.CreateTeam(c.UserContext(), req.Name, req.InstanceIDs, req.AttendantIDs, req.Routing)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(toTeamView(t))
}

func (s *Server) listTeams(c *fiber.Ctx) error {
	ts, err := s.app.ListTeams(c.UserContext())
	if err != nil {
		return err
	}
	return c.JSON(listOf(ts, "", toTeamView))
}

func (s *Server) patchTeam(c *fiber.Ctx) error {
	var req struct {
		Name         *string   `json:"name"`
		InstanceIDs  *[]string `json:"instance_ids"`
		AttendantIDs *[]string `json:"attendant_ids"`
		Routing      *string   `json:"routing"`
	}
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	t, err := s.app.UpdateTeam(c.UserContext(), c.Params("tid"), domain.TeamChange{Name: req.Name, InstanceIDs: req.InstanceIDs,
		AttendantIDs: req.AttendantIDs, Routing: req.Routing})
	if err != nil {
		return err
	}
	return c.JSON(toTeamView(t))
}

func (s *Server) deleteTeam(c *fiber.Ctx) error {
	if err := s.app.DeleteTeam(c.UserContext(), c.Params("tid")); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

// patchAttendant is an admin's change of an attendant.
func (s *Server) patchAttendant(c *fiber.Ctx) error {
	var req struct {
		Name    *string `json:"name"`
		Role    *string `json:"role"`
		Active  *bool   `json:"active"`
		MaxOpen *int    `json:"max_open"`
	}
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	a, err := s.app.UpdateAttendant(c.UserContext(), c.Params("id"), domain.AttendantChange{Name: req.Name, Role: req.Role,
		Active: req.Active, MaxOpen: req.MaxOpen})
	if err != nil {
		return err
	}
	return s.attendantWithLoad(c, a)
}

// patchMe is an attendant's own choice of online or away.
func (s *Server) patchMe(c *fiber.Ctx) error {
	var req struct {
		Status string `json:"status"`
	}
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	p := principal(c)
	if p.AttendantID == "" {
		return domain.NotFound("attendant")
	}
	a, err := s.app.SetMyStatus(c.UserContext(), p.AttendantID, req.Status)
	if err != nil {
		return err
	}
	return s.attendantWithLoad(c, a)
}

func (s *Server) attendantWithLoad(c *fiber.Ctx, a *domain.Attendant) error {
	loads, err := s.app.AttendantLoads(c.UserContext())
	if err != nil {
		return err
	}
	return c.JSON(toAttendantLoadView(a, loads[a.ID]))
}

func (s *Server) transferAttendance(c *fiber.Ctx) error {
	var req struct {
		AttendantID string `json:"attendant_id"`
		TeamID      string `json:"team_id"`
		Note        string `json:"note"`
	}
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	if _, err := s.app.TransferAttendance(c.UserContext(), app.Transfer{AttendanceID: c.Params("aid"), AttendantID: req.AttendantID,
		TeamID: req.TeamID, Note: req.Note, By: principal(c).Actor()}); err != nil {
		return err
	}
	return s.getAttendance(c)
}

// keepPresence renews this process's dashboard connections until ctx
// ends, so their attendants stay online on every replica.
func (s *Server) keepPresence(ctx context.Context) error {
	t := time.NewTicker(app.FeedTTL / 3)
	defer t.Stop()
	for {
		if err := s.app.KeepFeeds(ctx, s.process); err != nil && ctx.Err() == nil {
			s.log.Warn("keep dashboard presence", "err", err)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}

// KeepPresence runs keepPresence; the API role owns it.
func (s *Server) KeepPresence(ctx context.Context) error { return s.keepPresence(ctx) }
