// Package hookformat turns what a tool posts to a send hook into the text
// zapgate sends: plain text, or the native webhook bodies of Alertmanager,
// Grafana alerting and GitHub's workflow runs, since those tools cannot be
// taught to post {"to","text"}. Pure functions: no I/O.
package hookformat

import (
	"encoding/json"
	"mime"
	"net/url"
	"strings"
	"unicode/utf8"

	"github.com/zapgate/zapgate/domain"
)

// Post is what arrived at a hook.
type Post struct {
	ContentType string // the Content-Type header
	GitHubEvent string // the X-GitHub-Event header, when GitHub posted
	Body        []byte
}

// Result is what to send, or why nothing is.
type Result struct {
	Text string
	To   string // named by the body itself (the text format's {"to"}); else empty
	// Skip says why nothing is sent (a GitHub ping, a run that has not
	// finished); Text is then empty.
	Skip string
}

// MaxText bounds the text a converter makes: a WhatsApp message should be
// read on a phone, not scrolled.
const MaxText = 4096

// Convert reads p in format f (auto detects it per post).
func Convert(f domain.HookFormat, p Post) (Result, error) {
	if f == domain.HookAuto || f == "" {
		f = Detect(p)
	}
	var (
		r   Result
		err error
	)
	switch f {
	case domain.HookText:
		return fromText(p) // the client's own text: refused, never repaired
	case domain.HookAlertmanager:
		r, err = fromAlertmanager(p.Body)
	case domain.HookGrafana:
		r, err = fromGrafana(p.Body)
	case domain.HookGitHub:
		r, err = fromGitHub(p)
	default:
		return Result{}, domain.InvalidField("format", domain.HookFormatRule)
	}
	if err != nil {
		return Result{}, err
	}
	if r.Skip != "" {
		return Result{Skip: domain.CleanText(r.Skip)}, nil
	}
	r.Text = finish(r.Text)
	if r.Text == "" {
		return Result{}, domain.InvalidField("body", "has nothing to send")
	}
	return r, nil
}

// Detect tells a post's format from its headers and the shape of its JSON:
// GitHub names itself in a header; Alertmanager (version 4, with a group
// key) and Grafana (title, orgId or state beside the alerts) post alerts;
// anything else is text.
func Detect(p Post) domain.HookFormat {
	if p.GitHubEvent != "" {
		return domain.HookGitHub
	}
	if !isJSON(p.ContentType) {
		return domain.HookText
	}
	var probe struct {
		Version  json.RawMessage `json:"version"`
		GroupKey json.RawMessage `json:"groupKey"`
		Alerts   json.RawMessage `json:"alerts"`
		Title    json.RawMessage `json:"title"`
		OrgID    json.RawMessage `json:"orgId"`
		State    json.RawMessage `json:"state"`
	}
	if json.Unmarshal(p.Body, &probe) != nil || !isArray(probe.Alerts) {
		return domain.HookText
	}
	switch {
	case string(probe.Version) == `"4"` && probe.GroupKey != nil:
		return domain.HookAlertmanager
	case probe.Title != nil || probe.OrgID != nil || probe.State != nil:
		return domain.HookGrafana
	}
	// Alerts and nothing else to tell: Alertmanager's shape is the one
	// both share.
	return domain.HookAlertmanager
}

func isArray(raw json.RawMessage) bool {
	s := strings.TrimSpace(string(raw))
	return strings.HasPrefix(s, "[")
}

func isJSON(contentType string) bool {
	mt, _, err := mime.ParseMediaType(contentType)
	if err != nil {
		mt = strings.ToLower(strings.TrimSpace(strings.SplitN(contentType, ";", 2)[0]))
	}
	return mt == "application/json" || strings.HasSuffix(mt, "+json")
}

func isForm(contentType string) bool {
	mt, _, _ := mime.ParseMediaType(contentType)
	return mt == "application/x-www-form-urlencoded"
}

// fromText is the hook's first format: JSON {"to","text"}, or the body
// itself as the text.
func fromText(p Post) (Result, error) {
	if !isJSON(p.ContentType) {
		return Result{Text: string(p.Body)}, nil
	}
	var req struct {
		To   string `json:"to"`
		Text string `json:"text"`
	}
	if err := json.Unmarshal(p.Body, &req); err != nil {
		return Result{}, &domain.Error{Kind: domain.KindInvalid, Code: "invalid_json",
			Message: "the body is not valid JSON; send {\"to\",\"text\"} or text/plain"}
	}
	return Result{To: req.To, Text: req.Text}, nil
}

// jsonBody is the JSON a tool posted; GitHub may post it form-encoded as
// payload=… (its webhooks' default content type).
func jsonBody(p Post) []byte {
	if isForm(p.ContentType) {
		if v, err := url.ParseQuery(string(p.Body)); err == nil && v.Has("payload") {
			return []byte(v.Get("payload"))
		}
	}
	return p.Body
}

// finish makes converted text storable and short: NUL and invalid UTF-8
// from the tool's fields are dropped, and anything over MaxText is cut
// with an ellipsis.
func finish(s string) string {
	s = strings.TrimSpace(domain.CleanText(s))
	return clip(s, MaxText)
}

// clip cuts s to at most n runes, the last an ellipsis when cut.
func clip(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return strings.TrimRight(string(r[:n-1]), " \n") + "…"
}

// malformed is the 400 for a body that is not the format's JSON.
func malformed(what string, err error) error {
	return &domain.Error{Kind: domain.KindInvalid, Code: "invalid_request", Message: "some fields are invalid",
		Fields: map[string]string{"body": "is not " + what + " JSON"}, Err: err}
}
