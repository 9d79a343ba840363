package e2e

import (
	"fmt"
	"net/url"
	"os"
	"sort"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// hookFixture is a tool's real webhook body, shared with app/hookformat's
// unit tests.
func hookFixture(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile("../app/hookformat/testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// The texts app/hookformat makes of the fixtures.
const (
	amFiring   = "🔥 *FIRING (2)* HighLatency — severity critical\n• api-1:9090: p99 over 2 s\n• api-2:9090: p99 at 3.1 s"
	amResolved = "✅ *RESOLVED (1)* DiskFull — severity warning\n• db-1:9100: disk 91% full"
	grafana    = "🔥 *[FIRING:1] High CPU Infra (web-3)*\n*Firing*\nValue: A=94.2, C=1\nLabels:\n - alertname = High CPU\n - grafana_folder = Infra\n - instance = web-3\nAnnotations:\n - summary = CPU above 90% on web-3\n" +
		"Source: https://grafana.example.com/alerting/grafana/cdzz2y8m1kcu8d/view?orgId=1\n" +
		"Silence: https://grafana.example.com/alerting/silence/new?alertmanager=grafana&matcher=alertname%3DHigh+CPU&matcher=instance%3Dweb-3&orgId=1\n" +
		"Dashboard: https://grafana.example.com/d/node-exporter?orgId=1\nPanel: https://grafana.example.com/d/node-exporter?orgId=1&viewPanel=3"
	ghSuccess = "✅ *CI #123* succeeded on main (acme/api) by octocat\nhttps://github.com/acme/api/actions/runs/12087731234"
	ghFailure = "❌ *CI #124* failed on feature/retry (acme/api) by hubot\nhttps://github.com/acme/api/actions/runs/12087739999"
)

func TestSendHookFormats(t *testing.T) {
	t.Parallel()
	p := newEnv(t).start()
	id, token := p.linkedInstance("hookfmt", "5511900000024")
	hooks := map[string]string{} // format → path
	to := map[string]string{"alertmanager": "5511999990101", "grafana": "5511999990102", "github": "5511999990103",
		"auto": "5511999990104", "text": "5511999990105"}
	for format, phone := range to {
		h := p.must(201, "POST", "/v1/instances/"+id+"/send-hooks", token, map[string]any{"name": format, "to": phone, "format": format})
		if h["format"] != format {
			t.Fatalf("created %v", h)
		}
		hooks[format] = "/hooks/" + h["token"].(string)
	}
	// No format is auto; an unknown one is 400 naming format.
	if h := p.must(201, "POST", "/v1/instances/"+id+"/send-hooks", token, map[string]any{"name": "plain"}); h["format"] != "auto" {
		t.Fatalf("default format: %v", h)
	}
	for _, bad := range []any{"slack", "GitHub", "text\x00", 3} {
		r := p.do("POST", "/v1/instances/"+id+"/send-hooks", token, map[string]any{"name": "bad", "format": bad})
		if r.Status != 400 || !strings.Contains(string(r.Body), `"format"`) {
			t.Errorf("format %q = %d %s", bad, r.Status, r.Body)
		}
	}
	listed := map[string]string{}
	for _, it := range p.must(200, "GET", "/v1/instances/"+id+"/send-hooks", token, nil)["items"].([]any) {
		h := it.(map[string]any)
		listed[h["name"].(string)] = h["format"].(string)
	}
	for format := range to {
		if listed[format] != format {
			t.Errorf("listed %v", listed)
		}
	}

	post := func(path string, body []byte, ctype string, headers ...string) response {
		return p.do("POST", path, "", body, append([]string{"Content-Type", ctype}, headers...)...)
	}
	const js = "application/json"
	gh := func(event string) []string { return []string{"X-GitHub-Event", event} }
	long := strings.Repeat("é", 10000)
	tests := []struct {
		name, hook, file, body, ctype string
		headers                       []string
		status                        int
		want                          string // in the answer
	}{
		{"alertmanager firing", "alertmanager", "alertmanager_firing.json", "", js, nil, 202, `"id"`},
		{"alertmanager resolved", "alertmanager", "alertmanager_resolved.json", "", js, nil, 202, `"id"`},
		{"alertmanager: not JSON", "alertmanager", "", "{alerts", js, nil, 400, `"body"`},
		{"alertmanager: no alerts", "alertmanager", "", `{"version":"4","alerts":[]}`, js, nil, 400, `"body"`},
		{"grafana firing", "grafana", "grafana_firing.json", "", js, nil, 202, `"id"`},
		{"grafana: NUL dropped", "grafana", "", `{"title":"disk\u0000 full","message":"on db-1","alerts":[]}`, js, nil, 202, `"id"`},
		{"grafana: long message cut", "grafana", "", fmt.Sprintf(`{"title":"long","message":%q,"alerts":[]}`, long), js, nil, 202, `"id"`},
		{"grafana: a list", "grafana", "", `[1]`, js, nil, 400, `"body"`},
		{"github success", "github", "github_workflow_run_success.json", "", js, gh("workflow_run"), 202, `"id"`},
		{"github failure, no header", "github", "github_workflow_run_failure.json", "", js, nil, 202, `"id"`},
		{"github run in progress", "github", "github_workflow_run_in_progress.json", "", js, gh("workflow_run"), 200, `"skipped"`},
		{"github ping", "github", "github_ping.json", "", js, gh("ping"), 200, `"GitHub ping`},
		{"github push", "github", "", `{"ref":"refs/heads/main"}`, js, gh("push"), 400, `"unsupported_event"`},
		{"auto: alertmanager", "auto", "alertmanager_firing.json", "", js, nil, 202, `"id"`},
		{"auto: grafana", "auto", "grafana_firing.json", "", js, nil, 202, `"id"`},
		{"auto: github, form-encoded", "auto", "", "payload=" + url.QueryEscape(string(hookFixture(t, "github_workflow_run_failure.json"))),
			"application/x-www-form-urlencoded", gh("workflow_run"), 202, `"id"`},
		{"auto: github ping", "auto", "github_ping.json", "", js, gh("ping"), 200, `"skipped"`},
		{"auto: text JSON", "auto", "", `{"text":"auto text"}`, js, nil, 202, `"id"`},
		{"auto: text/plain", "auto", "", "auto plain", "text/plain", nil, 202, `"id"`},
		{"text: plain JSON", "text", "", `{"text":"just text"}`, js, nil, 202, `"id"`},
		{"text: an Alertmanager body has no text", "text", "alertmanager_firing.json", "", js, nil, 400, `"text"`},
	}
	for _, tt := range tests {
		body := []byte(tt.body)
		if tt.file != "" {
			body = hookFixture(t, tt.file)
		}
		r := post(hooks[tt.hook], body, tt.ctype, tt.headers...)
		if r.Status != tt.status || !strings.Contains(string(r.Body), tt.want) {
			t.Errorf("%s: %d %s, want %d with %s", tt.name, r.Status, r.Body, tt.status, tt.want)
		}
	}

	want := map[string][]string{
		to["alertmanager"]: {amFiring, amResolved},
		to["grafana"]:      {grafana, "🔥 *disk full*\non db-1", "long"},
		to["github"]:       {ghSuccess, ghFailure},
		to["auto"]:         {amFiring, grafana, ghFailure, "auto text", "auto plain"},
		to["text"]:         {"just text"},
	}
	total := 0
	for _, w := range want {
		total += len(w)
	}
	var sent []any
	eventually(t, 30*time.Second, fmt.Sprintf("%d hook sends", total), func() bool {
		sent = p.must(200, "GET", "/v1/sim/instances/"+id+"/sent", adminToken, nil)["items"].([]any)
		return len(sent) >= total
	})
	got := map[string][]string{}
	for _, it := range sent {
		m := it.(map[string]any)
		text := m["text"].(string)
		if strings.HasPrefix(text, "🔥 *long*") {
			// Cut to 4096 characters, the last an ellipsis.
			if n := utf8.RuneCountInString(text); n != 4096 || !strings.HasSuffix(text, "é…") {
				t.Errorf("long text: %d characters, ends %q", n, text[len(text)-8:])
			}
			text = "long"
		}
		got[m["to"].(string)] = append(got[m["to"].(string)], text)
	}
	for phone, w := range want {
		g := got[phone]
		sort.Strings(g)
		sort.Strings(w)
		if strings.Join(g, "\n---\n") != strings.Join(w, "\n---\n") {
			t.Errorf("sent to %s:\n%q\nwant\n%q", phone, g, w)
		}
	}
	if len(sent) != total {
		t.Errorf("%d sends, want %d", len(sent), total)
	}
}
