package api

import (
	"encoding/json"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/zapgate/zapgate/app"
	"github.com/zapgate/zapgate/domain"
	"github.com/zapgate/zapgate/events"
)

// The attendant's tools: notes, labels, reopening, canned replies, clients.

// clientRef is a client as an attendance shows it: the event's shape and the
// name attendants wrote down.
type clientRef struct {
	events.Client
	Name string `json:"name"`
}

func toClientRef(c *domain.Client) clientRef {
	return clientRef{Client: events.Client{ID: c.ID, Phone: c.Phone, LID: c.LID, PushName: c.PushName, GroupJID: c.GroupJID}, Name: c.Name}
}

type feedbackView struct {
	Rating  int       `json:"rating"`
	Comment string    `json:"comment"`
	At      time.Time `json:"at"`
}

type feedbackItemView struct {
	AttendanceID string    `json:"attendance_id"`
	InstanceID   string    `json:"instance_id"`
	AttendantID  string    `json:"attendant_id"`
	Client       clientRef `json:"client"`
	Rating       int       `json:"rating"`
	Comment      string    `json:"comment"`
	At           time.Time `json:"at"`
}

// timelineItem is a message ("kind":"message", the message's fields) or a
// private note ("kind":"note").
type timelineItem struct {
	msg  *events.Message
	note *noteView
}

type noteView struct {
	Kind         string    `json:"kind"`
	ID           string    `json:"id"`
	AttendanceID string    `json:"attendance_id"`
	AttendantID  string    `json:"attendant_id"`
	Text         string    `json:"text"`
	CreatedAt    time.Time `json:"created_at"`
}

func toNoteView(n *domain.Note) *noteView {
	return &noteView{Kind: "note", ID: n.ID, AttendanceID: n.AttendanceID, AttendantID: n.AttendantID, Text: n.Text, CreatedAt: n.CreatedAt}
}

func toTimelineItem(it app.TimelineItem) timelineItem {
	if it.Note != nil {
		return timelineItem{note: toNoteView(it.Note)}
	}
	m := app.MessageData(it.Message)
	return timelineItem{msg: &m}
}

// MarshalJSON writes the item with its kind.
func (t timelineItem) MarshalJSON() ([]byte, error) {
	if t.note != nil {
		return json.Marshal(t.note)
	}
	return json.Marshal(struct {
		Kind string `json:"kind"`
		*events.Message
	}{"message", t.msg})
}

func (s *Server) addNote(c *fiber.Ctx) error {
	var req struct {
		Text string `json:"text"`
	}
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	n, err := s.app.AddNote(c.UserContext(), principal(c), c.Params("aid"), req.Text)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(toNoteView(n))
}

func (s *Server) setLabels(c *fiber.Ctx) error {
	var req struct {
		Labels *[]string `json:"labels"`
	}
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	if req.Labels == nil {
		return domain.InvalidField("labels", "is required: a list of labels, [] for none")
	}
	if _, err := s.app.SetLabels(c.UserContext(), c.Params("aid"), *req.Labels); err != nil {
		return err
	}
	return s.getAttendance(c)
}

func (s *Server) reopenAttendance(c *fiber.Ctx) error {
	if _, err := s.app.ReopenAttendance(c.UserContext(), principal(c), c.Params("aid")); err != nil {
		return err
	}
	return s.getAttendance(c)
}

type cannedReplyView struct {
	ID        string    `json:"id"`
	Shortcut  string    `json:"shortcut"`
	Text      string    `json:"text"`
	Filled    *string   `json:"filled,omitempty"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

func toCannedReplyView(r *domain.CannedReply) cannedReplyView {
	return cannedReplyView{ID: r.ID, Shortcut: r.Shortcut, Text: r.Text, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt}
}

func (s *Server) createCannedReply(c *fiber.Ctx) error {
	var req struct {
		Shortcut string `json:"shortcut"`
		Text     string `json:"text"`
	}
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	r, err := s.app.CreateCannedReply(c.UserContext(), req.Shortcut, req.Text)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(toCannedReplyView(r))
}

func (s *Server) listCannedReplies(c *fiber.Ctx) error {
	rs, err := s.app.ListCannedReplies(c.UserContext(), principal(c), c.Query("attendance_id"))
	if err != nil {
		return err
	}
	return c.JSON(listOf(rs, "", func(v *app.CannedReplyView) cannedReplyView {
		out := toCannedReplyView(&v.CannedReply)
		out.Filled = v.Filled
		return out
	}))
}

func (s *Server) patchCannedReply(c *fiber.Ctx) error {
	var req struct {
		Shortcut *string `json:"shortcut"`
		Text     *string `json:"text"`
	}
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	r, err := s.app.UpdateCannedReply(c.UserContext(), c.Params("id"), req.Shortcut, req.Text)
	if err != nil {
		return err
	}
	return c.JSON(toCannedReplyView(r))
}

func (s *Server) deleteCannedReply(c *fiber.Ctx) error {
	if err := s.app.DeleteCannedReply(c.UserContext(), c.Params("id")); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

type clientView struct {
	clientRef
	InstanceID  string                 `json:"instance_id"`
	Notes       string                 `json:"notes"`
	Attributes  map[string]string      `json:"attributes"`
	FirstSeenAt time.Time              `json:"first_seen_at"`
	LastSeenAt  time.Time              `json:"last_seen_at"`
	Labels      []string               `json:"labels,omitempty"`
	Attendances []clientAttendanceView `json:"attendances,omitempty"`
}

type clientAttendanceView struct {
	ID             string     `json:"id"`
	InstanceID     string     `json:"instance_id"`
	Status         string     `json:"status"`
	AttendantID    string     `json:"attendant_id"`
	OpenedAt       time.Time  `json:"opened_at"`
	LastActivityAt time.Time  `json:"last_activity_at"`
	ClosedAt       *time.Time `json:"closed_at"`
	ClosedReason   string     `json:"closed_reason"`
	Labels         []string   `json:"labels"`
}

func toClientView(c *domain.Client) clientView {
	v := clientView{clientRef: toClientRef(c), InstanceID: c.InstanceID, Notes: c.Notes, Attributes: c.Attributes,
		FirstSeenAt: c.FirstSeenAt, LastSeenAt: c.LastSeenAt}
	if v.Attributes == nil {
		v.Attributes = map[string]string{}
	}
	return v
}

func toClientPage(cv *app.ClientView) clientView {
	v := toClientView(&cv.Client)
	v.Labels = cv.Labels
	v.Attendances = make([]clientAttendanceView, 0, len(cv.Attendances))
	for _, a := range cv.Attendances {
		labels := a.Labels
		if labels == nil {
			labels = []string{}
		}
		v.Attendances = append(v.Attendances, clientAttendanceView{ID: a.ID, InstanceID: a.InstanceID, Status: string(a.Status),
			AttendantID: a.AttendantID, OpenedAt: a.OpenedAt, LastActivityAt: a.LastActivityAt, ClosedAt: a.ClosedAt,
			ClosedReason: string(a.ClosedReason), Labels: labels})
	}
	return v
}

func (s *Server) listClients(c *fiber.Ctx) error {
	p, err := queryPage(c)
	if err != nil {
		return err
	}
	cs, next, err := s.app.ListClients(c.UserContext(), c.Query("q"), p)
	if err != nil {
		return err
	}
	return c.JSON(listOf(cs, next, toClientView))
}

func (s *Server) getClient(c *fiber.Ctx) error {
	cv, err := s.app.GetClient(c.UserContext(), c.Params("cid"))
	if err != nil {
		return err
	}
	return c.JSON(toClientPage(cv))
}

func (s *Server) patchClient(c *fiber.Ctx) error {
	var req struct {
		Name       *string            `json:"name"`
		Notes      *string            `json:"notes"`
		Attributes *map[string]string `json:"attributes"`
	}
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	p := domain.ClientProfile{Name: req.Name, Notes: req.Notes}
	if req.Attributes != nil {
		p.Attributes = *req.Attributes
		if p.Attributes == nil {
			p.Attributes = map[string]string{}
		}
	}
	cv, err := s.app.UpdateClient(c.UserContext(), c.Params("cid"), p)
	if err != nil {
		return err
	}
	return c.JSON(toClientPage(cv))
}
