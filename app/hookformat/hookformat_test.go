package hookformat

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"os"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/zapgate/zapgate/domain"
)

const ctJSON = "application/json"

func fixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestConvertFixtures(t *testing.T) {
	tests := []struct {
		name, file, event string
		format            domain.HookFormat
		want, skip        string
	}{
		{"alertmanager firing, two alerts", "alertmanager_firing.json", "", domain.HookAlertmanager,
			"🔥 *FIRING (2)* HighLatency — severity critical\n• api-1:9090: p99 over 2 s\n• api-2:9090: p99 at 3.1 s", ""},
		{"alertmanager resolved", "alertmanager_resolved.json", "", domain.HookAlertmanager,
			"✅ *RESOLVED (1)* DiskFull — severity warning\n• db-1:9100: disk 91% full", ""},
		{"grafana firing: title and message", "grafana_firing.json", "", domain.HookGrafana,
			"🔥 *[FIRING:1] High CPU Infra (web-3)*\n*Firing*\nValue: A=94.2, C=1\nLabels:\n - alertname = High CPU\n - grafana_folder = Infra\n - instance = web-3\nAnnotations:\n - summary = CPU above 90% on web-3\n" +
				"Source: https://grafana.example.com/alerting/grafana/cdzz2y8m1kcu8d/view?orgId=1\n" +
				"Silence: https://grafana.example.com/alerting/silence/new?alertmanager=grafana&matcher=alertname%3DHigh+CPU&matcher=instance%3Dweb-3&orgId=1\n" +
				"Dashboard: https://grafana.example.com/d/node-exporter?orgId=1\nPanel: https://grafana.example.com/d/node-exporter?orgId=1&viewPanel=3", ""},
		{"github run succeeded", "github_workflow_run_success.json", "workflow_run", domain.HookGitHub,
			"✅ *CI #123* succeeded on main (acme/api) by octocat\nhttps://github.com/acme/api/actions/runs/12087731234", ""},
		{"github run failed", "github_workflow_run_failure.json", "workflow_run", domain.HookGitHub,
			"❌ *CI #124* failed on feature/retry (acme/api) by hubot\nhttps://github.com/acme/api/actions/runs/12087739999", ""},
		{"github run in progress: skipped", "github_workflow_run_in_progress.json", "workflow_run", domain.HookGitHub,
			"", "workflow run in_progress: only completed runs are sent"},
		{"github ping: skipped", "github_ping.json", "ping", domain.HookGitHub,
			"", "GitHub ping: the hook works; nothing is sent"},
		{"github without the header: the body tells", "github_workflow_run_success.json", "", domain.HookGitHub,
			"✅ *CI #123* succeeded on main (acme/api) by octocat\nhttps://github.com/acme/api/actions/runs/12087731234", ""},
		{"github ping without the header", "github_ping.json", "", domain.HookGitHub,
			"", "GitHub ping: the hook works; nothing is sent"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			post := Post{ContentType: ctJSON, GitHubEvent: tt.event, Body: fixture(t, tt.file)}
			for _, f := range []domain.HookFormat{tt.format, domain.HookAuto} {
				if f == domain.HookAuto && tt.event == "" && tt.format == domain.HookGitHub {
					continue // without its header, GitHub is not detected
				}
				got, err := Convert(f, post)
				if err != nil {
					t.Fatalf("%s: %v", f, err)
				}
				if got.Text != tt.want || got.Skip != tt.skip || got.To != "" {
					t.Errorf("%s:\n got %q skip %q\nwant %q skip %q", f, got.Text, got.Skip, tt.want, tt.skip)
				}
			}
		})
	}
}

func TestDetect(t *testing.T) {
	tests := []struct {
		name, ctype, event, body string
		want                     domain.HookFormat
	}{
		{"GitHub header", ctJSON, "workflow_run", `{}`, domain.HookGitHub},
		{"GitHub header, form-encoded", "application/x-www-form-urlencoded", "ping", `payload=%7B%7D`, domain.HookGitHub},
		{"alertmanager v4 with group key", ctJSON, "", string(fixture(t, "alertmanager_firing.json")), domain.HookAlertmanager},
		{"grafana by title", ctJSON, "", `{"alerts":[],"title":"x"}`, domain.HookGrafana},
		{"grafana by orgId", ctJSON, "", `{"alerts":[],"orgId":1}`, domain.HookGrafana},
		{"grafana by state", ctJSON, "", `{"alerts":[],"state":"alerting"}`, domain.HookGrafana},
		{"grafana fixture (version 1, group key)", ctJSON, "", string(fixture(t, "grafana_firing.json")), domain.HookGrafana},
		{"bare alerts read as Alertmanager", ctJSON, "", `{"alerts":[{"labels":{"alertname":"A"}}]}`, domain.HookAlertmanager},
		{"alerts that are not a list", ctJSON, "", `{"alerts":{"a":1},"title":"x"}`, domain.HookText},
		{"text JSON", ctJSON, "", `{"to":"5511999998888","text":"hi"}`, domain.HookText},
		{"JSON with a charset", "application/json; charset=utf-8", "", `{"text":"hi"}`, domain.HookText},
		{"text/plain", "text/plain", "", `{"alerts":[],"version":"4","groupKey":"k"}`, domain.HookText},
		{"no content type", "", "", `hello`, domain.HookText},
		{"invalid JSON", ctJSON, "", `{"alerts":[`, domain.HookText},
		{"a JSON list", ctJSON, "", `[1,2]`, domain.HookText},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Detect(Post{ContentType: tt.ctype, GitHubEvent: tt.event, Body: []byte(tt.body)}); got != tt.want {
				t.Errorf("Detect = %s, want %s", got, tt.want)
			}
		})
	}
}

func TestConvertText(t *testing.T) {
	tests := []struct {
		name, ctype, body string
		want              Result
		code              string
	}{
		{"plain", "text/plain", "deploy finished", Result{Text: "deploy finished"}, ""},
		{"JSON", ctJSON, `{"to":"5511999998888","text":"hi"}`, Result{To: "5511999998888", Text: "hi"}, ""},
		// The client's own text is refused by the message's rules, not
		// repaired here.
		{"NUL kept for the message to refuse", "text/plain", "a\x00b", Result{Text: "a\x00b"}, ""},
		{"invalid JSON", ctJSON, `{"text":`, Result{}, "invalid_json"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, f := range []domain.HookFormat{domain.HookText, domain.HookAuto} {
				got, err := Convert(f, Post{ContentType: tt.ctype, Body: []byte(tt.body)})
				if code := errCode(err); code != tt.code || got != tt.want {
					t.Errorf("%s: got %+v, %v; want %+v, %q", f, got, err, tt.want, tt.code)
				}
			}
		})
	}
}

func errCode(err error) string {
	var de *domain.Error
	if errors.As(err, &de) {
		return de.Code
	}
	if err != nil {
		return "not a domain error: " + err.Error()
	}
	return ""
}

func TestConvertRefusesWhatItCannotRead(t *testing.T) {
	tests := []struct {
		name   string
		format domain.HookFormat
		event  string
		body   string
		code   string
		field  string
	}{
		{"alertmanager: not JSON", domain.HookAlertmanager, "", `alerts!`, "invalid_request", "body"},
		{"alertmanager: labels not strings", domain.HookAlertmanager, "", `{"alerts":[{"labels":{"a":1}}]}`, "invalid_request", "body"},
		{"alertmanager: no alerts", domain.HookAlertmanager, "", `{"version":"4","alerts":[]}`, "invalid_request", "body"},
		{"grafana: not JSON", domain.HookGrafana, "", `{`, "invalid_request", "body"},
		{"grafana: nothing to say", domain.HookGrafana, "", `{"title":" ","alerts":[]}`, "invalid_request", "body"},
		{"github: not JSON", domain.HookGitHub, "workflow_run", `nope`, "invalid_request", "body"},
		{"github: unknown body", domain.HookGitHub, "", `{"action":"opened"}`, "invalid_request", "body"},
		{"github: run without its run", domain.HookGitHub, "workflow_run", `{"action":"completed"}`, "invalid_request", "body"},
		{"github: push", domain.HookGitHub, "push", `{"ref":"refs/heads/main"}`, "unsupported_event", ""},
		{"auto: GitHub push", domain.HookAuto, "push", `{"ref":"refs/heads/main"}`, "unsupported_event", ""},
		{"auto: alerts, not readable", domain.HookAuto, "", `{"alerts":[{"labels":[]}],"version":"4","groupKey":"k"}`, "invalid_request", "body"},
		{"unknown format", "slack", "", `{}`, "invalid_request", "format"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Convert(tt.format, Post{ContentType: ctJSON, GitHubEvent: tt.event, Body: []byte(tt.body)})
			var de *domain.Error
			if !errors.As(err, &de) || de.Kind != domain.KindInvalid || de.Code != tt.code {
				t.Fatalf("err = %v, want %s", err, tt.code)
			}
			if _, ok := de.Fields[tt.field]; tt.field != "" && !ok {
				t.Errorf("fields = %v, want %s named", de.Fields, tt.field)
			}
		})
	}
}

func TestAlertListIsCapped(t *testing.T) {
	var p alertPayload
	p.Version, p.Status = "4", "firing"
	p.CommonLabels = map[string]string{"severity": "page"}
	for i := range 14 {
		a := alert{Status: "firing", Labels: map[string]string{"alertname": fmt.Sprintf("A%d", i), "instance": fmt.Sprintf("h%d", i)}}
		if i == 1 {
			a.Status = "resolved"
		}
		p.Alerts = append(p.Alerts, a)
	}
	body, _ := json.Marshal(p)
	got, err := Convert(domain.HookAlertmanager, Post{ContentType: ctJSON, Body: body})
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(got.Text, "\n")
	if len(lines) != 1+maxAlerts+1 {
		t.Fatalf("%d lines:\n%s", len(lines), got.Text)
	}
	want := map[int]string{
		0:  "🔥 *FIRING (13)* — severity page",
		1:  "• *A0* h0",
		2:  "• *A1* h1 _(resolved)_",
		11: "…and 4 more",
	}
	for i, w := range want {
		if lines[i] != w {
			t.Errorf("line %d = %q, want %q", i, lines[i], w)
		}
	}
}

func TestGrafanaFallsBackToAlerts(t *testing.T) {
	body := `{"status":"resolved","orgId":1,"commonLabels":{"alertname":"High CPU"},
		"alerts":[{"status":"resolved","labels":{"alertname":"High CPU","instance":"web-3"},"annotations":{"description":"back to 12%"}}]}`
	got, err := Convert(domain.HookAuto, Post{ContentType: ctJSON, Body: []byte(body)})
	if want := "✅ *RESOLVED (1)* High CPU\n• web-3: back to 12%"; err != nil || got.Text != want {
		t.Errorf("got %q, %v; want %q", got.Text, err, want)
	}
}

func TestGitHubConclusions(t *testing.T) {
	tests := []struct{ conclusion, want string }{
		{"success", "✅ *CI #7* succeeded"},
		{"failure", "❌ *CI #7* failed"},
		{"cancelled", "⚪ *CI #7* was cancelled"},
		{"timed_out", "⏱️ *CI #7* timed out"},
		{"startup_failure", "❌ *CI #7* failed to start"},
		{"action_required", "⚠️ *CI #7* needs action"},
		{"", "ℹ️ *CI #7* finished"},
		{"brand_new", "ℹ️ *CI #7* finished (brand_new)"},
	}
	for _, tt := range tests {
		t.Run(tt.conclusion, func(t *testing.T) {
			body := fmt.Sprintf(`{"action":"completed","workflow_run":{"name":"CI","run_number":7,"conclusion":%q}}`, tt.conclusion)
			got, err := Convert(domain.HookGitHub, Post{ContentType: ctJSON, GitHubEvent: "workflow_run", Body: []byte(body)})
			if err != nil || got.Text != tt.want {
				t.Errorf("got %q, %v; want %q", got.Text, err, tt.want)
			}
		})
	}
}

// GitHub's webhooks post payload=<JSON> unless told to send JSON.
func TestGitHubFormEncoded(t *testing.T) {
	body := "payload=" + url.QueryEscape(string(fixture(t, "github_workflow_run_failure.json")))
	got, err := Convert(domain.HookAuto, Post{ContentType: "application/x-www-form-urlencoded", GitHubEvent: "workflow_run", Body: []byte(body)})
	if err != nil || !strings.HasPrefix(got.Text, "❌ *CI #124* failed on feature/retry") {
		t.Errorf("got %q, %v", got.Text, err)
	}
}

func TestConvertedTextIsBoundedAndStorable(t *testing.T) {
	long := strings.Repeat("é", 10000)
	tests := []struct {
		name, body string
	}{
		{"long grafana message", fmt.Sprintf(`{"title":"t","message":%q,"alerts":[]}`, long)},
		{"NUL in grafana title", `{"title":"a\u0000b","message":"c\u0000d","alerts":[]}`},
		{"NUL and long lines in alerts", fmt.Sprintf(`{"version":"4","groupKey":"k","alerts":[{"labels":{"alertname":"a\u0000"},"annotations":{"summary":%q}}]}`, long)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Convert(domain.HookAuto, Post{ContentType: ctJSON, Body: []byte(tt.body)})
			if err != nil {
				t.Fatal(err)
			}
			if n := utf8.RuneCountInString(got.Text); n > MaxText {
				t.Errorf("%d runes", n)
			}
			if domain.TextProblem(got.Text) != "" {
				t.Errorf("not storable: %q", got.Text)
			}
		})
	}
	got, _ := Convert(domain.HookGrafana, Post{ContentType: ctJSON, Body: []byte(tests[0].body)})
	if !strings.HasSuffix(got.Text, "é…") || utf8.RuneCountInString(got.Text) != MaxText {
		t.Errorf("cut %d runes, ends %q", utf8.RuneCountInString(got.Text), got.Text[len(got.Text)-10:])
	}
}

func TestGrafanaStatus(t *testing.T) {
	tests := []struct{ body, want string }{
		{`{"title":"t","alerts":[]}`, "🔥 *t*"},
		{`{"title":"t","status":"resolved","alerts":[]}`, "✅ *t*"},
		{`{"title":"t","state":"ok","alerts":[]}`, "✅ *t*"},
		{`{"title":"t","state":"alerting","alerts":[]}`, "🔥 *t*"},
		{`{"title":"t","alerts":[{"status":"resolved"}]}`, "✅ *t*"},
		{`{"title":"t","alerts":[{"status":"resolved"},{"status":"firing"}]}`, "🔥 *t*"},
		{`{"message":"m","status":"resolved","alerts":[]}`, "✅ *RESOLVED*\nm"},
	}
	for _, tt := range tests {
		got, err := Convert(domain.HookGrafana, Post{ContentType: ctJSON, Body: []byte(tt.body)})
		if err != nil || got.Text != tt.want {
			t.Errorf("%s: got %q, %v; want %q", tt.body, got.Text, err, tt.want)
		}
	}
}

// Alertmanager's max_alerts leaves alerts out and says how many.
func TestAlertmanagerTruncatedAlerts(t *testing.T) {
	body := `{"version":"4","groupKey":"k","status":"firing","truncatedAlerts":40,"commonLabels":{"alertname":"Down"},
		"alerts":[{"status":"firing","labels":{"alertname":"Down","instance":"h1"}},{"status":"firing","labels":{"alertname":"Down","instance":"h2"}}]}`
	got, err := Convert(domain.HookAuto, Post{ContentType: ctJSON, Body: []byte(body)})
	if want := "🔥 *FIRING (42)* Down\n• h1\n• h2\n…and 40 more"; err != nil || got.Text != want {
		t.Errorf("got %q, %v; want %q", got.Text, err, want)
	}
}
