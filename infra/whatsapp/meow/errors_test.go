package meow

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"go.mau.fi/whatsmeow"

	"github.com/zapgate/zapgate/app"
	"github.com/zapgate/zapgate/domain"
)

func TestClassify(t *testing.T) {
	var transient error // want neither ErrPermanent nor ErrNotConnected
	tests := []struct {
		name string
		err  error
		want error
	}{
		{"not connected", whatsmeow.ErrNotConnected, app.ErrNotConnected},
		{"not logged in, wrapped", fmt.Errorf("wrapped: %w", whatsmeow.ErrNotLoggedIn), app.ErrNotConnected},
		{"disconnected mid-send", &whatsmeow.DisconnectedError{Action: "message send"}, app.ErrNotConnected},
		{"iq disconnected", whatsmeow.ErrIQDisconnected, app.ErrNotConnected},
		{"iq bad request", whatsmeow.ErrIQBadRequest, app.ErrPermanent},
		{"iq forbidden", whatsmeow.ErrIQForbidden, app.ErrPermanent},
		{"iq not acceptable", whatsmeow.ErrIQNotAcceptable, app.ErrPermanent},
		{"iq rate limit", whatsmeow.ErrIQRateOverLimit, transient},
		{"iq resource limit", whatsmeow.ErrIQResourceLimit, transient},
		{"iq internal error", whatsmeow.ErrIQInternalServerError, transient},
		{"iq unavailable", whatsmeow.ErrIQServiceUnavailable, transient},
		{"server error 400", fmt.Errorf("%w %d", whatsmeow.ErrServerReturnedError, 400), app.ErrPermanent},
		{"server error 479", fmt.Errorf("%w %d", whatsmeow.ErrServerReturnedError, 479), app.ErrPermanent},
		{"server error 429", fmt.Errorf("%w %d", whatsmeow.ErrServerReturnedError, 429), transient},
		{"server error 500", fmt.Errorf("%w %d", whatsmeow.ErrServerReturnedError, 500), transient},
		{"server error without code", whatsmeow.ErrServerReturnedError, transient},
		{"unknown server", fmt.Errorf("%w %s", whatsmeow.ErrUnknownServer, "x.us"), app.ErrPermanent},
		{"device jid", whatsmeow.ErrRecipientADJID, app.ErrPermanent},
		{"group not found", whatsmeow.ErrGroupNotFound, app.ErrPermanent},
		{"not in group", whatsmeow.ErrNotInGroup, app.ErrPermanent},
		{"invite link revoked", whatsmeow.ErrInviteLinkRevoked, app.ErrPermanent},
		{"invite link invalid", whatsmeow.ErrInviteLinkInvalid, app.ErrPermanent},
		{"invite link unauthorized", whatsmeow.ErrGroupInviteLinkUnauthorized, app.ErrPermanent},
		{"iq not authorized", whatsmeow.ErrIQNotAuthorized, app.ErrPermanent},
		{"iq gone", whatsmeow.ErrIQGone, app.ErrPermanent},
		{"iq timed out", whatsmeow.ErrIQTimedOut, transient},
		{"message timed out", whatsmeow.ErrMessageTimedOut, transient},
		{"no signal session", whatsmeow.ErrNoSession, transient},
		{"deadline", context.DeadlineExceeded, transient},
		{"network blip", errors.New("upload failed with status code 502"), transient},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := classify(tt.err)
			if !errors.Is(got, tt.err) {
				t.Errorf("%v lost the original error", got)
			}
			perm, nc := errors.Is(got, app.ErrPermanent), errors.Is(got, app.ErrNotConnected)
			switch tt.want {
			case transient:
				if perm || nc {
					t.Errorf("%v, want transient", got)
				}
			case app.ErrPermanent:
				if !perm || nc {
					t.Errorf("%v, want permanent only", got)
				}
			case app.ErrNotConnected:
				if !nc || perm {
					t.Errorf("%v, want not connected only", got)
				}
			}
		})
	}
	if classify(nil) != nil {
		t.Error("nil classified as an error")
	}
}

func TestServerErrorCode(t *testing.T) {
	for err, want := range map[error]int{
		fmt.Errorf("%w %d", whatsmeow.ErrServerReturnedError, 463):                       463,
		fmt.Errorf("send: %w", fmt.Errorf("%w %d", whatsmeow.ErrServerReturnedError, 4)): 4,
		whatsmeow.ErrServerReturnedError:                                                 0,
		errors.New("other"):                                                              0,
	} {
		if got := serverErrorCode(err); got != want {
			t.Errorf("%v → %d, want %d", err, got, want)
		}
	}
}

// TestClassifyWarnings: WhatsApp's warnings, as whatsmeow formats them
// (send.go: fmt.Errorf("%w %d", ErrServerReturnedError, errorCode); IQ
// errors as *IQError), pause the instance; nothing else does.
func TestClassifyWarnings(t *testing.T) {
	tests := []struct {
		name  string
		err   error
		pause bool
	}{
		{"send answered 463", fmt.Errorf("%w %d", whatsmeow.ErrServerReturnedError, 463), true},
		{"send answered 463, wrapped", fmt.Errorf("send to x: %w", fmt.Errorf("%w %d", whatsmeow.ErrServerReturnedError, 463)), true},
		{"send answered 429", fmt.Errorf("%w %d", whatsmeow.ErrServerReturnedError, 429), true},
		{"iq rate-overlimit", whatsmeow.ErrIQRateOverLimit, true},
		{"iq 429 received", fmt.Errorf("fetch devices: %w", &whatsmeow.IQError{Code: 429, Text: "rate-overlimit"}), true},
		{"send answered 479", fmt.Errorf("%w %d", whatsmeow.ErrServerReturnedError, 479), false},
		{"send answered 4630", fmt.Errorf("%w %d", whatsmeow.ErrServerReturnedError, 4630), false},
		{"send answered 500", fmt.Errorf("%w %d", whatsmeow.ErrServerReturnedError, 500), false},
		{"iq resource limit", whatsmeow.ErrIQResourceLimit, false},
		{"not connected", whatsmeow.ErrNotConnected, false},
		{"a 463 in other words", errors.New("upload failed with status code 463"), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := classify(tt.err)
			var rl *app.RateLimit
			isRL := errors.As(got, &rl)
			if isRL != tt.pause || errors.Is(got, app.ErrRateLimited) != tt.pause {
				t.Fatalf("classify(%v) = %v; pause %v, want %v", tt.err, got, isRL, tt.pause)
			}
			if !errors.Is(got, tt.err) {
				t.Errorf("%v lost the original error", got)
			}
			if !tt.pause {
				return
			}
			if rl.State != domain.HealthPaused || rl.Reason != domain.ReasonRateLimited || !rl.Until.IsZero() {
				t.Errorf("rate limit = %+v, want paused rate_limited with no deadline", rl)
			}
			if errors.Is(got, app.ErrPermanent) || errors.Is(got, app.ErrNotConnected) {
				t.Errorf("%v is also permanent or not connected", got)
			}
		})
	}
}
