package hookformat

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
	"unicode/utf8"

	"github.com/zapgate/zapgate/domain"
)

// FuzzConvert holds every post, whatever its bytes, to a bounded, storable
// text or a 400: never a panic, never an error the API would answer 500.
// The seeds are the fixtures; CI runs them as a plain test.
func FuzzConvert(f *testing.F) {
	files, err := filepath.Glob("testdata/*.json")
	if err != nil || len(files) == 0 {
		f.Fatalf("no fixtures: %v", err)
	}
	for _, name := range files {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		for _, event := range []string{"", "workflow_run", "ping"} {
			f.Add(ctJSON, event, b)
		}
	}
	f.Add("text/plain", "", []byte("deploy finished"))
	f.Add("application/x-www-form-urlencoded", "workflow_run", []byte("payload=%7B%22action%22%3A%22completed%22%2C%22workflow_run%22%3A%7B%7D%7D"))
	f.Add(ctJSON, "", []byte(`{"alerts":[{"labels":{"alertname":"\u0000"}}],"title":"\u0000"}`))
	f.Add(ctJSON, "workflow_run", []byte(`{"action":"\u0000","workflow_run":{}}`))
	formats := []domain.HookFormat{domain.HookAuto, domain.HookText, domain.HookAlertmanager, domain.HookGrafana, domain.HookGitHub}
	f.Fuzz(func(t *testing.T, ctype, event string, body []byte) {
		for _, format := range formats {
			r, err := Convert(format, Post{ContentType: ctype, GitHubEvent: event, Body: body})
			if err != nil {
				var de *domain.Error
				if !errors.As(err, &de) || de.Kind != domain.KindInvalid {
					t.Fatalf("%s: %v is not a 400", format, err)
				}
				continue
			}
			if r.Skip != "" && r.Text != "" {
				t.Fatalf("%s: skipped %q yet says %q", format, r.Skip, r.Text)
			}
			if Detect(Post{ContentType: ctype, GitHubEvent: event, Body: body}) == domain.HookText && (format == domain.HookAuto || format == domain.HookText) {
				continue // the client's own text, checked by the message's rules
			}
			if format == domain.HookText {
				continue
			}
			if r.Skip == "" && (r.Text == "" || utf8.RuneCountInString(r.Text) > MaxText || domain.TextProblem(r.Text) != "") {
				t.Fatalf("%s: bad text %q", format, r.Text)
			}
			if domain.TextProblem(r.Skip) != "" {
				t.Fatalf("%s: bad skip reason %q", format, r.Skip)
			}
		}
	})
}
