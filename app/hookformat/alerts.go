package hookformat

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/zapgate/zapgate/domain"
)

// alertPayload is the webhook body of Alertmanager (version 4) and, with
// a few more fields, of Grafana's alerting, which copied it.
type alertPayload struct {
	Version      string            `json:"version"`
	Status       string            `json:"status"`
	Receiver     string            `json:"receiver"`
	GroupLabels  map[string]string `json:"groupLabels"`
	CommonLabels map[string]string `json:"commonLabels"`
	ExternalURL  string            `json:"externalURL"`
	Alerts       []alert           `json:"alerts"`
	// Truncated counts the alerts Alertmanager left out (its max_alerts).
	Truncated int `json:"truncatedAlerts"`
	// Grafana only.
	Title   string `json:"title"`
	Message string `json:"message"`
	State   string `json:"state"`
}

type alert struct {
	Status       string            `json:"status"`
	Labels       map[string]string `json:"labels"`
	Annotations  map[string]string `json:"annotations"`
	GeneratorURL string            `json:"generatorURL"`
}

// maxAlerts is how many alerts a message lists before "…and N more".
const maxAlerts = 10

// maxLine bounds one alert's line, so one long description does not push
// the others out.
const maxLine = 200

func fromAlertmanager(body []byte) (Result, error) {
	var p alertPayload
	if err := json.Unmarshal(body, &p); err != nil {
		return Result{}, malformed("an Alertmanager webhook", err)
	}
	if len(p.Alerts) == 0 {
		return Result{}, domain.InvalidField("body", "has no alerts")
	}
	return Result{Text: renderAlerts(p)}, nil
}

// fromGrafana prefers Grafana's own title and message, which its
// notification templates shape, and falls back to the alerts.
func fromGrafana(body []byte) (Result, error) {
	var p alertPayload
	if err := json.Unmarshal(body, &p); err != nil {
		return Result{}, malformed("a Grafana alerting webhook", err)
	}
	title, msg := strings.TrimSpace(p.Title), strings.TrimSpace(p.Message)
	if title == "" && msg == "" {
		if len(p.Alerts) == 0 {
			return Result{}, domain.InvalidField("body", "has no title, message or alerts")
		}
		return Result{Text: renderAlerts(p)}, nil
	}
	head := statusEmoji(p.groupStatus())
	if title != "" {
		head += " *" + oneLine(title) + "*"
	} else {
		head += " *" + strings.ToUpper(p.groupStatus()) + "*"
	}
	if msg == "" {
		return Result{Text: head}, nil
	}
	return Result{Text: head + "\n" + whatsappMarkdown(msg)}, nil
}

// whatsappMarkdown turns the Markdown bold of Grafana's default template
// (**Firing**) into WhatsApp's (*Firing*) and drops its blank lines, which
// only stretch the message on a phone.
func whatsappMarkdown(s string) string {
	s = strings.ReplaceAll(s, "**", "*")
	lines := strings.Split(s, "\n")
	out := lines[:0]
	for _, l := range lines {
		if l = strings.TrimRight(l, " \t\r"); l != "" {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

// groupStatus is "firing" or "resolved": the payload's, else Grafana's
// state, else resolved only when every alert says so.
func (p alertPayload) groupStatus() string {
	switch s := strings.ToLower(p.Status); s {
	case "firing", "resolved":
		return s
	}
	switch strings.ToLower(p.State) {
	case "ok":
		return "resolved"
	case "alerting":
		return "firing"
	}
	for _, a := range p.Alerts {
		if !strings.EqualFold(a.Status, "resolved") {
			return "firing"
		}
	}
	if len(p.Alerts) == 0 {
		return "firing" // nothing says it is over
	}
	return "resolved"
}

func statusEmoji(status string) string {
	if status == "resolved" {
		return "✅"
	}
	return "🔥"
}

// renderAlerts writes a header, then one line per alert:
//
//	🔥 *FIRING (2)* HighLatency — severity critical
//	• api-1: p99 over 2 s
func renderAlerts(p alertPayload) string {
	status := p.groupStatus()
	n := len(p.Alerts)
	if status == "firing" {
		n = 0
		for _, a := range p.Alerts {
			if !strings.EqualFold(a.Status, "resolved") {
				n++
			}
		}
	}
	if p.Truncated > 0 {
		n += p.Truncated
	}
	name := first(p.GroupLabels["alertname"], p.CommonLabels["alertname"])
	var b strings.Builder
	fmt.Fprintf(&b, "%s *%s (%d)*", statusEmoji(status), strings.ToUpper(status), n)
	if name != "" {
		b.WriteString(" " + oneLine(name))
	}
	if sev := p.CommonLabels["severity"]; sev != "" {
		b.WriteString(" — severity " + oneLine(sev))
	}
	for i, a := range p.Alerts {
		if i == maxAlerts {
			break
		}
		b.WriteString("\n• " + clip(a.line(name, status), maxLine))
	}
	if more := max(len(p.Alerts)-maxAlerts, 0) + max(p.Truncated, 0); more > 0 {
		fmt.Fprintf(&b, "\n…and %d more", more)
	}
	return b.String()
}

// line names the alert (its alertname when the group has none in common,
// its instance) and says what is wrong.
func (a alert) line(common, status string) string {
	var s string
	own := a.Labels["alertname"]
	if own != "" && own != common {
		s = "*" + oneLine(own) + "* "
	} else {
		own = "" // said in the header already
	}
	who := oneLine(first(a.Labels["instance"], a.Labels["pod"], a.Labels["service"], a.Labels["job"], a.Labels["host"]))
	what := oneLine(first(a.Annotations["summary"], a.Annotations["description"], a.Annotations["message"]))
	switch {
	case who != "" && what != "":
		s += who + ": " + what
	case who != "" || what != "":
		s += who + what
	case own == "":
		s += "alert"
	}
	s = strings.TrimSpace(s)
	if status == "firing" && strings.EqualFold(a.Status, "resolved") {
		s += " _(resolved)_"
	}
	return s
}

func first(s ...string) string {
	for _, v := range s {
		if v = strings.TrimSpace(v); v != "" {
			return v
		}
	}
	return ""
}

// oneLine folds whitespace, newlines included, so a value keeps to its line.
func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}
