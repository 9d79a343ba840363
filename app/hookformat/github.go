package hookformat

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/zapgate/zapgate/domain"
)

// workflowRunEvent is the part of GitHub's workflow_run event a message
// needs.
type workflowRunEvent struct {
	Action      string `json:"action"`
	WorkflowRun *struct {
		Name         string `json:"name"`
		DisplayTitle string `json:"display_title"`
		HeadBranch   string `json:"head_branch"`
		HeadSHA      string `json:"head_sha"`
		Status       string `json:"status"`
		Conclusion   string `json:"conclusion"`
		HTMLURL      string `json:"html_url"`
		RunNumber    int64  `json:"run_number"`
		Actor        struct {
			Login string `json:"login"`
		} `json:"actor"`
	} `json:"workflow_run"`
	Repository struct {
		FullName string `json:"full_name"`
	} `json:"repository"`
	Sender struct {
		Login string `json:"login"`
	} `json:"sender"`
	Zen string `json:"zen"` // ping only
}

// fromGitHub turns a completed workflow run into one line and its link.
// GitHub's ping (sent when the webhook is made) and runs that are only
// requested or in progress send nothing, so a chat hears of each run once;
// any other event is refused, so whoever subscribed it sees why in GitHub's
// delivery log.
func fromGitHub(p Post) (Result, error) {
	var e workflowRunEvent
	if err := json.Unmarshal(jsonBody(p), &e); err != nil {
		return Result{}, malformed("a GitHub webhook", err)
	}
	event := strings.ToLower(strings.TrimSpace(p.GitHubEvent))
	if event == "" { // posted by hand or through a proxy that drops headers
		switch {
		case e.WorkflowRun != nil:
			event = "workflow_run"
		case e.Zen != "":
			event = "ping"
		default:
			return Result{}, domain.InvalidField("body", "is not a GitHub workflow_run event (nor a ping)")
		}
	}
	switch event {
	case "ping":
		return Result{Skip: "GitHub ping: the hook works; nothing is sent"}, nil
	case "workflow_run":
	default:
		return Result{}, &domain.Error{Kind: domain.KindInvalid, Code: "unsupported_event",
			Message: fmt.Sprintf("unsupported GitHub event %q: a send hook understands workflow_run (and ping); subscribe to workflow runs only", clip(oneLine(domain.CleanText(event)), 50))}
	}
	run := e.WorkflowRun
	if run == nil {
		return Result{}, domain.InvalidField("body", "has no workflow_run")
	}
	if e.Action != "completed" {
		return Result{Skip: fmt.Sprintf("workflow run %s: only completed runs are sent", clip(oneLine(first(e.Action, "without action")), 50))}, nil
	}
	name := first(run.Name, run.DisplayTitle, "workflow")
	var b strings.Builder
	fmt.Fprintf(&b, "%s *%s", conclusionEmoji(run.Conclusion), oneLine(name))
	if run.RunNumber > 0 {
		fmt.Fprintf(&b, " #%d", run.RunNumber)
	}
	b.WriteString("* " + conclusionVerb(run.Conclusion))
	if run.HeadBranch != "" {
		b.WriteString(" on " + oneLine(run.HeadBranch))
	}
	if repo := e.Repository.FullName; repo != "" {
		b.WriteString(" (" + oneLine(repo) + ")")
	}
	if who := first(run.Actor.Login, e.Sender.Login); who != "" {
		b.WriteString(" by " + oneLine(who))
	}
	if run.HTMLURL != "" {
		b.WriteString("\n" + oneLine(run.HTMLURL))
	}
	return Result{Text: b.String()}, nil
}

func conclusionEmoji(c string) string {
	switch c {
	case "success":
		return "✅"
	case "failure", "startup_failure":
		return "❌"
	case "timed_out":
		return "⏱️"
	case "cancelled", "skipped", "stale", "neutral":
		return "⚪"
	case "action_required":
		return "⚠️"
	}
	return "ℹ️"
}

func conclusionVerb(c string) string {
	switch c {
	case "success":
		return "succeeded"
	case "failure":
		return "failed"
	case "startup_failure":
		return "failed to start"
	case "timed_out":
		return "timed out"
	case "cancelled":
		return "was cancelled"
	case "skipped":
		return "was skipped"
	case "action_required":
		return "needs action"
	case "":
		return "finished"
	}
	return "finished (" + clip(oneLine(c), 30) + ")"
}
