package api

import (
	"encoding/json"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/zapgate/zapgate/domain"
)

// commandWait is how long ?wait=true holds a request (API.md: 15 s).
const commandWait = 15 * time.Second

// commandView is a command as GET …/commands/{cid} shows it.
type commandView struct {
	CommandID string           `json:"command_id"`
	Type      string           `json:"type"`
	Status    string           `json:"status"`
	Result    json.RawMessage  `json:"result"`
	Error     *commandErrorRef `json:"error"`
	CreatedAt time.Time        `json:"created_at"`
	DoneAt    *time.Time       `json:"done_at"`
}

type commandErrorRef struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

func toCommandView(cmd *domain.Command) commandView {
	v := commandView{CommandID: cmd.ID, Type: string(cmd.Type), Status: string(cmd.Status),
		CreatedAt: cmd.CreatedAt, DoneAt: cmd.DoneAt}
	if len(cmd.Result) > 0 {
		v.Result = cmd.Result
	}
	if cmd.Status == domain.CommandFailed {
		v.Error = &commandErrorRef{Code: cmd.ErrorCode, Message: cmd.ErrorMessage}
	}
	return v
}

func (s *Server) getCommand(c *fiber.Ctx) error {
	cmd, err := s.app.GetCommand(c.UserContext(), c.Params("id"), c.Params("cid"))
	if err != nil {
		return err
	}
	return c.JSON(toCommandView(cmd))
}

// answerCommand answers a command route: 202 pending at once, or with
// ?wait=true the result (200), the error it ended with, or 202 when it is
// not done within commandWait.
func (s *Server) answerCommand(c *fiber.Ctx, cmd *domain.Command) error {
	if c.QueryBool("wait") {
		got, err := s.app.WaitCommand(c.UserContext(), cmd.InstanceID, cmd.ID, commandWait)
		if err != nil {
			return err
		}
		cmd = got
	}
	switch cmd.Status {
	case domain.CommandDone:
		return c.JSON(fiber.Map{"command_id": cmd.ID, "status": cmd.Status, "result": json.RawMessage(cmd.Result)})
	case domain.CommandFailed:
		return cmd.Err()
	default:
		return c.Status(fiber.StatusAccepted).JSON(fiber.Map{"command_id": cmd.ID, "status": cmd.Status})
	}
}

func (s *Server) checkContacts(c *fiber.Ctx) error {
	var req struct {
		Phones []string `json:"phones"`
	}
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	cmd, err := s.app.CheckContacts(c.UserContext(), c.Params("id"), req.Phones)
	if err != nil {
		return err
	}
	return s.answerCommand(c, cmd)
}
