package api

import (
	"net/url"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/zapgate/zapgate/app"
	"github.com/zapgate/zapgate/domain"
)

// groupSummaryView is a group as lists show it.
type groupSummaryView struct {
	JID               string    `json:"jid"`
	Subject           string    `json:"subject"`
	Description       string    `json:"description"`
	Owner             string    `json:"owner"`
	ParticipantsCount int       `json:"participants_count"`
	Announce          bool      `json:"announce"`
	Locked            bool      `json:"locked"`
	CreatedAt         time.Time `json:"created_at"`
}

func toGroupSummaryView(g *app.GroupSummary) groupSummaryView {
	return groupSummaryView{JID: g.JID, Subject: g.Subject, Description: g.Description, Owner: g.Owner,
		ParticipantsCount: g.ParticipantsCount, Announce: g.Announce, Locked: g.Locked, CreatedAt: g.CreatedAt.UTC()}
}

// groupJID is the {jid} of a group route; clients may escape its "@".
func groupJID(c *fiber.Ctx) (string, error) {
	jid, err := url.PathUnescape(c.Params("jid"))
	if err != nil {
		return "", domain.InvalidField("jid", domain.GroupJIDRule)
	}
	return jid, nil
}

func (s *Server) listGroups(c *fiber.Ctx) error {
	p, err := queryPage(c)
	if err != nil {
		return err
	}
	items, next, err := s.app.ListGroups(c.UserContext(), c.Params("id"), p)
	if err != nil {
		return err
	}
	return c.JSON(listOf(items, next, toGroupSummaryView))
}

func (s *Server) getGroup(c *fiber.Ctx) error {
	jid, err := groupJID(c)
	if err != nil {
		return err
	}
	g, err := s.app.GetGroup(c.UserContext(), c.Params("id"), jid)
	if err != nil {
		return err
	}
	return c.JSON(app.GroupView(*g))
}

func (s *Server) createGroup(c *fiber.Ctx) error {
	var req struct {
		Subject      string   `json:"subject"`
		Participants []string `json:"participants"`
	}
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	cmd, err := s.app.CreateGroup(c.UserContext(), c.Params("id"), req.Subject, req.Participants)
	if err != nil {
		return err
	}
	return s.answerCommand(c, cmd)
}

func (s *Server) patchGroup(c *fiber.Ctx) error {
	jid, err := groupJID(c)
	if err != nil {
		return err
	}
	var req struct {
		Subject     *string `json:"subject"`
		Description *string `json:"description"`
		Announce    *bool   `json:"announce"`
		Locked      *bool   `json:"locked"`
	}
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	u, err := domain.NewGroupUpdate(req.Subject, req.Description, req.Announce, req.Locked)
	if err != nil {
		return err
	}
	cmd, err := s.app.UpdateGroup(c.UserContext(), c.Params("id"), jid, u)
	if err != nil {
		return err
	}
	return s.answerCommand(c, cmd)
}

func (s *Server) groupParticipants(c *fiber.Ctx) error {
	jid, err := groupJID(c)
	if err != nil {
		return err
	}
	var req struct {
		Action       string   `json:"action"`
		Participants []string `json:"participants"`
	}
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	cmd, err := s.app.UpdateGroupParticipants(c.UserContext(), c.Params("id"), jid, req.Action, req.Participants)
	if err != nil {
		return err
	}
	return s.answerCommand(c, cmd)
}

func (s *Server) groupInviteLink(c *fiber.Ctx) error {
	jid, err := groupJID(c)
	if err != nil {
		return err
	}
	cmd, err := s.app.GroupInviteLink(c.UserContext(), c.Params("id"), jid, c.QueryBool("reset"))
	if err != nil {
		return err
	}
	return s.answerCommand(c, cmd)
}

func (s *Server) joinGroup(c *fiber.Ctx) error {
	var req struct {
		Link string `json:"link"`
	}
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	cmd, err := s.app.JoinGroup(c.UserContext(), c.Params("id"), req.Link)
	if err != nil {
		return err
	}
	return s.answerCommand(c, cmd)
}

func (s *Server) leaveGroup(c *fiber.Ctx) error {
	jid, err := groupJID(c)
	if err != nil {
		return err
	}
	cmd, err := s.app.LeaveGroup(c.UserContext(), c.Params("id"), jid)
	if err != nil {
		return err
	}
	return s.answerCommand(c, cmd)
}

// simGroup creates a group elsewhere on the simulated network with people
// (phones) and instances as members.
func (s *Server) simGroup(c *fiber.Ctx) error {
	var req struct {
		Subject      string   `json:"subject"`
		Participants []string `json:"participants"`
		Members      []string `json:"members"`
	}
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	if err := domain.CheckGroupSubject(req.Subject); err != nil {
		return err
	}
	phones := make([]string, 0, len(req.Participants))
	for _, p := range req.Participants {
		n, ok := domain.NormalizePhone(p)
		if !ok {
			return domain.InvalidField("participants", domain.PhoneRule)
		}
		phones = append(phones, n)
	}
	for _, id := range req.Members {
		if _, err := s.app.GetInstance(c.UserContext(), id); domain.IsNotFound(err) {
			return domain.InvalidField("members", "must name instances of this deployment")
		} else if err != nil {
			return err
		}
	}
	jid, err := s.sim.AddGroup(c.UserContext(), req.Subject, phones, req.Members)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(fiber.Map{"jid": jid})
}
