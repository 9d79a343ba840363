package api

import (
	"math"
	"strconv"
	"sync"
	"time"

	"github.com/gofiber/fiber/v2"
	"golang.org/x/time/rate"

	"github.com/zapgate/zapgate/app/hookformat"
	"github.com/zapgate/zapgate/domain"
)

type sendHookView struct {
	ID        string    `json:"id"`
	Name      string    `json:"name"`
	To        string    `json:"to"`
	Format    string    `json:"format"`
	CreatedAt time.Time `json:"created_at"`
	Token     string    `json:"token,omitempty"`
	URL       string    `json:"url,omitempty"`
}

func toSendHookView(h *domain.SendHook) sendHookView {
	return sendHookView{ID: h.ID, Name: h.Name, To: h.To, Format: string(h.Format), CreatedAt: h.CreatedAt}
}

func (s *Server) createSendHook(c *fiber.Ctx) error {
	var req struct {
		Name   string `json:"name"`
		To     string `json:"to"`
		Format string `json:"format"`
	}
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	h, token, err := s.app.CreateSendHook(c.UserContext(), c.Params("id"), req.Name, req.To, req.Format)
	if err != nil {
		return err
	}
	v := toSendHookView(h)
	v.Token, v.URL = token, s.publicURL+"/hooks/"+token
	return c.Status(fiber.StatusCreated).JSON(v)
}

func (s *Server) listSendHooks(c *fiber.Ctx) error {
	hooks, err := s.app.ListSendHooks(c.UserContext(), c.Params("id"))
	if err != nil {
		return err
	}
	return c.JSON(listOf(hooks, "", toSendHookView))
}

func (s *Server) deleteSendHook(c *fiber.Ctx) error {
	if err := s.app.DeleteSendHook(c.UserContext(), c.Params("id"), c.Params("hid")); err != nil {
		return err
	}
	s.hookLimits.forget(c.Params("hid"))
	return c.SendStatus(fiber.StatusNoContent)
}

// postHook sends a text through a send hook, read in the hook's format:
// JSON {"to","text"} or text/plain (the recipient in ?to= or the hook's
// default), or the native body of Alertmanager, Grafana or GitHub. A post
// that sends nothing (GitHub's ping) is answered 200 with the reason.
func (s *Server) postHook(c *fiber.Ctx) error {
	if len(c.Body()) > domain.MaxHookBody {
		return &domain.Error{Kind: domain.KindTooLarge, Code: "body_too_large", Message: "a send hook takes at most 1 MiB"}
	}
	h, err := s.app.SendHook(c.UserContext(), c.Params("token"))
	if err != nil {
		return err
	}
	if wait, ok := s.hookLimits.allow(h.ID); !ok {
		c.Set(fiber.HeaderRetryAfter, strconv.Itoa(int(math.Ceil(wait.Seconds()))))
		return &domain.Error{Kind: domain.KindRateLimited, Code: "rate_limited", Message: "this send hook is sending too fast; retry later"}
	}
	post := hookformat.Post{ContentType: c.Get(fiber.HeaderContentType), GitHubEvent: c.Get("X-GitHub-Event"), Body: c.Body()}
	m, skipped, err := s.app.PostToHook(c.UserContext(), h, c.Query("to"), post)
	if err != nil {
		return err
	}
	if skipped != "" {
		return c.JSON(fiber.Map{"status": "skipped", "reason": skipped})
	}
	s.metrics.MessagesAccepted.WithLabelValues(string(m.Type)).Inc()
	return c.Status(fiber.StatusAccepted).JSON(fiber.Map{"id": m.ID, "status": m.Status, "to": m.To})
}

// hookLimiter rate-limits each send hook in this process: a burst of 10,
// then one message every 2 seconds.
type hookLimiter struct {
	mu sync.Mutex
	m  map[string]*rate.Limiter
}

func (l *hookLimiter) allow(id string) (time.Duration, bool) {
	l.mu.Lock()
	lim, ok := l.m[id]
	if !ok {
		if l.m == nil {
			l.m = map[string]*rate.Limiter{}
		}
		lim = rate.NewLimiter(rate.Every(2*time.Second), 10)
		l.m[id] = lim
	}
	l.mu.Unlock()
	r := lim.Reserve()
	if d := r.Delay(); d > 0 {
		r.Cancel()
		return d, false
	}
	return 0, true
}

func (l *hookLimiter) forget(id string) {
	l.mu.Lock()
	delete(l.m, id)
	l.mu.Unlock()
}
