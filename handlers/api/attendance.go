package api

import (
	"math"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/zapgate/zapgate/app"
	"github.com/zapgate/zapgate/domain"
	"github.com/zapgate/zapgate/events"
)

type attendantView struct {
	ID        string    `json:"id"`
	Name      string    `json:"name"`
	Email     string    `json:"email"`
	Role      string    `json:"role"`
	Active    bool      `json:"active"`
	CreatedAt time.Time `json:"created_at"`
	// Status is online, away or offline (domain.Attendant.PresenceOf).
	Status    string `json:"status"`
	MaxOpen   int    `json:"max_open"`
	OpenCount int    `json:"open_count"`
}

func toAttendantView(a *domain.Attendant) attendantView {
	return toAttendantLoadView(a, app.AttendantLoad{})
}

func toAttendantLoadView(a *domain.Attendant, l app.AttendantLoad) attendantView {
	return attendantView{ID: a.ID, Name: a.Name, Email: a.Email, Role: a.Role, Active: a.Active, CreatedAt: a.CreatedAt,
		Status: string(a.PresenceOf(l.Connected)), MaxOpen: a.MaxOpen, OpenCount: l.Open}
}

type attendanceView struct {
	ID              string          `json:"id"`
	InstanceID      string          `json:"instance_id"`
	Status          string          `json:"status"`
	Client          clientRef       `json:"client"`
	AttendantID     string          `json:"attendant_id"`
	OpenedAt        time.Time       `json:"opened_at"`
	LastActivityAt  time.Time       `json:"last_activity_at"`
	LastMessageFrom string          `json:"last_message_from"`
	Unread          int             `json:"unread"`
	ClosedAt        *time.Time      `json:"closed_at"`
	ClosedReason    string          `json:"closed_reason"`
	TeamID          string          `json:"team_id"`
	LastMessage     *events.Message `json:"last_message"`
	// Messages is the timeline of GET /v1/attendances/{aid}: messages and
	// private notes in time order, told apart by "kind".
	Messages     []timelineItem `json:"messages,omitempty"`
	ClosedBy     string         `json:"closed_by"`
	FirstReplyAt *time.Time     `json:"first_reply_at"`
	Labels       []string       `json:"labels"`
	Feedback     *feedbackView  `json:"feedback"`
	attendanceMilestones
}

func toAttendanceView(v *app.AttendanceView) attendanceView {
	a := v.Attendance
	out := attendanceView{ID: a.ID, InstanceID: a.InstanceID, Status: string(a.Status),
		Client:      toClientRef(&v.Client),
		AttendantID: a.AttendantID, OpenedAt: a.OpenedAt, LastActivityAt: a.LastActivityAt,
		LastMessageFrom: string(a.LastMessageFrom), Unread: a.Unread, ClosedAt: a.ClosedAt, ClosedReason: string(a.ClosedReason),
		ClosedBy: a.ClosedBy, FirstReplyAt: a.FirstReplyAt, Labels: a.Labels, TeamID: a.TeamID}
	if out.Labels == nil {
		out.Labels = []string{}
	}
	out.attendanceMilestones = toAttendanceMilestones(&a)
	if f := v.Feedback; f != nil {
		out.Feedback = &feedbackView{Rating: f.Rating, Comment: f.Comment, At: f.CreatedAt}
	}
	if v.LastMessage != nil {
		m := app.MessageData(v.LastMessage)
		out.LastMessage = &m
	}
	return out
}

// attendAccess lets admins and attendants through to the helpdesk routes,
// and to one attendance only when they see it.
func (s *Server) attendAccess(c *fiber.Ctx) error {
	p := principal(c)
	if !p.CanAttend() {
		return domain.NotFound("resource")
	}
	if aid := c.Params("aid"); aid != "" && !p.SeesAttendance(aid) {
		return domain.NotFound("attendance")
	}
	return c.Next()
}

func (s *Server) createAttendant(c *fiber.Ctx) error {
	var req struct {
		Name     string `json:"name"`
		Email    string `json:"email"`
		Password string `json:"password"`
		Role     string `json:"role"`
	}
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	a, err := s.app.CreateAttendant(c.UserContext(), req.Name, req.Email, req.Password, req.Role)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(toAttendantView(a))
}

func (s *Server) listAttendants(c *fiber.Ctx) error {
	as, err := s.app.ListAttendants(c.UserContext())
	if err != nil {
		return err
	}
	loads, err := s.app.AttendantLoads(c.UserContext())
	if err != nil {
		return err
	}
	return c.JSON(listOf(as, "", func(a *domain.Attendant) attendantView { return toAttendantLoadView(a, loads[a.ID]) }))
}

func (s *Server) login(c *fiber.Ctx) error {
	var req struct {
		Email    string `json:"email"`
		Password string `json:"password"`
	}
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	email := strings.ToLower(strings.TrimSpace(req.Email))
	keys := []string{"email:" + email, "ip:" + c.IP()}
	if wait := s.logins.blocked(keys...); wait > 0 {
		c.Set(fiber.HeaderRetryAfter, strconv.Itoa(int(math.Ceil(wait.Seconds()))))
		return &domain.Error{Kind: domain.KindRateLimited, Code: "too_many_attempts", Message: "too many failed logins; try again later"}
	}
	token, a, err := s.app.Login(c.UserContext(), email, req.Password)
	if err != nil {
		if domain.KindOf(err) == domain.KindUnauthorized {
			s.logins.fail(keys...)
		}
		return err
	}
	s.logins.reset(keys[0])
	return c.JSON(fiber.Map{"token": token, "attendant": toAttendantView(a), "expires_in": int(app.SessionTTL.Seconds())})
}

func (s *Server) listAttendances(c *fiber.Ctx) error {
	p, err := queryPage(c)
	if err != nil {
		return err
	}
	vs, next, err := s.app.ListAttendances(c.UserContext(), principal(c), app.AttendanceFilter{Page: p,
		Status: c.Query("status"), InstanceID: c.Query("instance"), Q: c.Query("q"), Label: c.Query("label"),
		TeamID: c.Query("team_id"), Assigned: c.Query("assigned")})
	if err != nil {
		return err
	}
	return c.JSON(listOf(vs, next, toAttendanceView))
}

func (s *Server) getAttendance(c *fiber.Ctx) error {
	v, items, err := s.app.AttendanceTimeline(c.UserContext(), c.Params("aid"))
	if err != nil {
		return err
	}
	out := toAttendanceView(v)
	out.Messages = make([]timelineItem, 0, len(items))
	for _, it := range items {
		out.Messages = append(out.Messages, toTimelineItem(it))
	}
	return c.JSON(out)
}

func (s *Server) replyAttendance(c *fiber.Ctx) error {
	cmd, err := s.parseSend(c)
	if err != nil {
		return err
	}
	cmd.RepliedBy = principal(c).AttendantID
	m, err := s.app.Reply(c.UserContext(), c.Params("aid"), cmd)
	if err != nil {
		return err
	}
	s.metrics.MessagesAccepted.WithLabelValues(string(m.Type)).Inc()
	return c.Status(fiber.StatusAccepted).JSON(toMessageView(m))
}

func (s *Server) assignAttendance(c *fiber.Ctx) error {
	var req struct {
		AttendantID string `json:"attendant_id"`
	}
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	if _, err := s.app.AssignAttendance(c.UserContext(), c.Params("aid"), req.AttendantID, principal(c).Actor()); err != nil {
		return err
	}
	return s.getAttendance(c)
}

func (s *Server) closeAttendance(c *fiber.Ctx) error {
	if _, err := s.app.CloseAttendance(c.UserContext(), c.Params("aid"), principal(c).AttendantID); err != nil {
		return err
	}
	return s.getAttendance(c)
}

func (s *Server) feedbackState(c *fiber.Ctx) error {
	st, err := s.app.FeedbackState(c.UserContext(), c.Params("token"))
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"status": st})
}

func (s *Server) giveFeedback(c *fiber.Ctx) error {
	var req struct {
		Rating  int    `json:"rating"`
		Comment string `json:"comment"`
	}
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	f, err := s.app.GiveFeedback(c.UserContext(), c.Params("token"), req.Rating, req.Comment)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(fiber.Map{"rating": f.Rating, "comment": f.Comment, "created_at": f.CreatedAt})
}

func (s *Server) feedbackSummary(c *fiber.Ctx) error {
	sum, err := s.app.FeedbackSummary(c.UserContext(), c.Query("instance"))
	if err != nil {
		return err
	}
	recent := make([]feedbackItemView, 0, len(sum.Recent))
	for _, it := range sum.Recent {
		recent = append(recent, feedbackItemView{AttendanceID: it.Feedback.AttendanceID, InstanceID: it.InstanceID,
			AttendantID: it.AttendantID, Client: toClientRef(&it.Client), Rating: it.Feedback.Rating,
			Comment: it.Feedback.Comment, At: it.Feedback.CreatedAt})
	}
	return c.JSON(fiber.Map{"count": sum.Count, "average": sum.Average, "recent": recent})
}

// loginGuard counts failed logins per key (email, client IP) in this
// process and blocks a key for the rest of the window once it hits its cap.
type loginGuard struct {
	mu     sync.Mutex
	window time.Duration
	caps   map[string]int // key prefix → failures allowed per window
	seen   map[string]*failures
}

type failures struct {
	n     int
	since time.Time
}

func newLoginGuard() *loginGuard {
	return &loginGuard{window: 15 * time.Minute, caps: map[string]int{"email": 5, "ip": 20}, seen: map[string]*failures{}}
}

func (g *loginGuard) cap(key string) int {
	prefix, _, _ := strings.Cut(key, ":")
	return g.caps[prefix]
}

func (g *loginGuard) blocked(keys ...string) time.Duration {
	g.mu.Lock()
	defer g.mu.Unlock()
	now := time.Now()
	var wait time.Duration
	for _, k := range keys {
		f, ok := g.seen[k]
		if !ok {
			continue
		}
		if now.Sub(f.since) > g.window {
			delete(g.seen, k)
			continue
		}
		if f.n >= g.cap(k) {
			wait = max(wait, g.window-now.Sub(f.since))
		}
	}
	return wait
}

func (g *loginGuard) fail(keys ...string) {
	g.mu.Lock()
	defer g.mu.Unlock()
	now := time.Now()
	if len(g.seen) > 100000 { // bounded: forget everything rather than grow
		g.seen = map[string]*failures{}
	}
	for _, k := range keys {
		f, ok := g.seen[k]
		if !ok || now.Sub(f.since) > g.window {
			f = &failures{since: now}
			g.seen[k] = f
		}
		f.n++
	}
}

func (g *loginGuard) reset(key string) {
	g.mu.Lock()
	delete(g.seen, key)
	g.mu.Unlock()
}
