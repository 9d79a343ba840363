package domain

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// DefaultClosingMessage is sent when an attendance closes and the instance
// set no closing message of its own; {{link}} is the feedback page.
const DefaultClosingMessage = "Thanks for talking to us! How did we do? {{link}}"

// MaxClosingMessageLen bounds the closing text (a WhatsApp message).
const MaxClosingMessageLen = 1000

// SetClosingMessage sets the text sent when an attendance closes; "" goes
// back to the default.
func (i *Instance) SetClosingMessage(text string) error {
	text = strings.TrimSpace(text)
	if p := TextProblem(text); p != "" {
		return InvalidField("closing_message", p)
	}
	if utf8.RuneCountInString(text) > MaxClosingMessageLen {
		return InvalidField("closing_message", fmt.Sprintf("must be at most %d characters", MaxClosingMessageLen))
	}
	i.ClosingMessage = text
	return nil
}

// ClosingText is the closing message with the feedback link in place of
// {{link}}, or after it when the text has no {{link}}: the link is the
// point of the message.
func (i *Instance) ClosingText(link string) string {
	t := i.ClosingMessage
	if t == "" {
		t = DefaultClosingMessage
	}
	if !strings.Contains(t, "{{link}}") {
		return t + " " + link
	}
	return strings.ReplaceAll(t, "{{link}}", link)
}

// AsksFeedback tells whether closing att sends the feedback link: always
// when an attendant answered, else only if the instance wants it.
func (i *Instance) AsksFeedback(att *Attendance) bool {
	return att.Answered() || i.FeedbackWhenUnanswered
}

// AskFeedbackWhenUnanswered sets whether closing an attendance nobody
// answered still sends the feedback link.
func (i *Instance) AskFeedbackWhenUnanswered(ask bool) { i.FeedbackWhenUnanswered = ask }
