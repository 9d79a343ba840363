package api

import (
	"context"
	"encoding/json"
	"strings"
	"time"

	"github.com/gofiber/contrib/websocket"
	"github.com/gofiber/fiber/v2"

	"github.com/zapgate/zapgate/app"
	"github.com/zapgate/zapgate/domain"
	"github.com/zapgate/zapgate/events"
	"github.com/zapgate/zapgate/handlers/ws"
)

func parseTime(c *fiber.Ctx, name string, fields map[string]string) *time.Time {
	v := c.Query(name)
	if v == "" {
		return nil
	}
	t, err := time.Parse(time.RFC3339, v)
	if err != nil {
		fields[name] = "must be an RFC 3339 time"
		return nil
	}
	return &t
}

// parseSince reads the event log's since: an event id (list what follows
// it, as a websocket resume does) or a time.
func parseSince(v string) (id string, t *time.Time, ok bool) {
	if v == "" {
		return "", nil, true
	}
	if domain.ValidID(v) {
		return v, nil, true
	}
	at, err := time.Parse(time.RFC3339, v)
	if err != nil {
		return "", nil, false
	}
	return "", &at, true
}

func splitList(v string) []string {
	var out []string
	for _, s := range strings.Split(v, ",") {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

func (s *Server) listEvents(c *fiber.Ctx) error {
	p, err := queryPage(c)
	if err != nil {
		return err
	}
	fields := map[string]string{}
	f := app.EventFilter{Page: p, InstanceID: c.Query("instance"), Types: splitList(c.Query("type")),
		Until: parseTime(c, "until", fields)}
	var ok bool
	if f.SinceID, f.Since, ok = parseSince(c.Query("since")); !ok {
		fields["since"] = "must be an event id or an RFC 3339 time"
	}
	if len(fields) > 0 {
		return domain.Invalid(fields)
	}
	evs, next, err := s.app.ListEvents(c.UserContext(), f)
	if err != nil {
		return err
	}
	if evs == nil {
		evs = []events.Envelope{}
	}
	return c.JSON(fiber.Map{"items": evs, "next": next})
}

func (s *Server) replayEvents(c *fiber.Ctx) error {
	var req struct {
		Since      *time.Time `json:"since"`
		Until      *time.Time `json:"until"`
		Types      []string   `json:"types"`
		InstanceID string     `json:"instance_id"`
		Target     string     `json:"target"`
		WebhookID  string     `json:"webhook_id"`
	}
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	res, err := s.app.ReplayEvents(c.UserContext(), app.ReplayRequest{Since: req.Since, Until: req.Until, Types: req.Types,
		InstanceID: req.InstanceID, Target: req.Target, WebhookID: req.WebhookID, Actor: "api:admin from " + c.IP()})
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusAccepted).JSON(replayView(res))
}

func (s *Server) getReplay(c *fiber.Ctx) error {
	r, err := s.app.GetReplay(c.UserContext(), c.Params("rid"))
	if err != nil {
		return err
	}
	return c.JSON(replayView(r))
}

func replayView(r *domain.Replay) fiber.Map {
	return fiber.Map{"replay_id": r.ID, "status": r.Status, "count": r.Count, "sent": r.Sent,
		"truncated": r.Truncated, "target": r.Target, "created_at": r.CreatedAt, "done_at": r.DoneAt}
}

// wsAuthorize checks the token (?token= or the Authorization header) and
// the filters before the upgrade, so refusals are plain HTTP errors.
func (s *Server) wsAuthorize(c *fiber.Ctx) error {
	if !websocket.IsWebSocketUpgrade(c) {
		return &domain.Error{Kind: domain.KindInvalid, Code: "upgrade_required", Message: "this route speaks websocket"}
	}
	token := c.Query("token")
	if token == "" {
		token = bearer(c)
	}
	p, err := s.app.Authenticate(c.UserContext(), token)
	if err != nil {
		return err
	}
	instance := c.Query("instance")
	if instance != "" && !p.CanAccess(instance) {
		return domain.NotFound("instance")
	}
	if p.InstanceID != "" {
		instance = p.InstanceID
	}
	// Attendants see the helpdesk's events only, and the status of the
	// messages of the attendances they see.
	helpdeskOnly := p.AttendantID != "" && !p.Admin
	c.Locals("ws.attendant", p.AttendantID)
	c.Locals("ws.session", ws.Session{
		Key:        string(domain.HashSecret(token)),
		InstanceID: instance,
		Since:      c.Query("since"),
		Filter: func(e *events.Envelope) bool {
			if helpdeskOnly && !helpdeskEvent(p, e) {
				return false
			}
			return (instance == "" || e.InstanceID == instance) && !events.IsCommand(e.Type)
		},
	})
	return c.Next()
}

func (s *Server) wsServe(conn *websocket.Conn) {
	sess, _ := conn.Locals("ws.session").(ws.Session)
	ctx := s.ctx
	if ctx == nil {
		ctx = context.Background()
	}
	// A dashboard connected is what makes its attendant online, on every
	// replica: the row lives while this connection does.
	if who, _ := conn.Locals("ws.attendant").(string); who != "" {
		feed, err := s.app.OpenFeed(ctx, who, s.process)
		if err != nil {
			s.log.Warn("dashboard presence not recorded", "attendant", who, "err", err)
		}
		defer func() {
			cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
			defer cancel()
			if err := s.app.CloseFeed(cctx, feed); err != nil {
				s.log.Warn("dashboard presence not cleared: it expires", "attendant", who, "err", err)
			}
		}()
	}
	s.hub.Serve(ctx, conn, sess, s.app)
}

// helpdeskEvent tells whether an attendant's feed carries e: the attendance
// and feedback events, and the changes of messages of attendances they see
// (status, reactions, edits, revokes, poll votes: each event names the
// attendance, so no lookup is needed).
func helpdeskEvent(p app.Principal, e *events.Envelope) bool {
	if strings.HasPrefix(e.Type, "attendance.") || strings.HasPrefix(e.Type, "feedback.") {
		return true
	}
	switch e.Type {
	case events.MessageStatus, events.MessageReaction, events.MessageEdited, events.MessageRevoked, events.PollVote:
	default:
		return false
	}
	var d struct {
		AttendanceID string `json:"attendance_id"`
	}
	return json.Unmarshal(e.Data, &d) == nil && p.SeesAttendance(d.AttendanceID)
}
