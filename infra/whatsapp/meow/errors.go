package meow

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"go.mau.fi/whatsmeow"

	"github.com/zapgate/zapgate/app"
	"github.com/zapgate/zapgate/domain"
)

// classify maps whatsmeow's errors onto the port's: a lost session is
// app.ErrNotConnected (retried once it is back), a refusal of the request
// itself app.ErrPermanent, anything else transient. The original error
// stays wrapped so its details reach the logs.
func classify(err error) error {
	var disconnected *whatsmeow.DisconnectedError
	var iq *whatsmeow.IQError
	switch {
	case err == nil:
		return nil
	case warned(err):
		// WhatsApp's warning: the instance pauses rather than retries.
		return &app.RateLimit{State: domain.HealthPaused, Reason: domain.ReasonRateLimited, Err: err}
	case errors.Is(err, whatsmeow.ErrNotConnected), errors.Is(err, whatsmeow.ErrNotLoggedIn),
		errors.Is(err, whatsmeow.ErrClientIsNil), errors.As(err, &disconnected):
		// A send cut off by a disconnect is safe to repeat: WhatsApp
		// de-duplicates by message id.
		return fmt.Errorf("%w: %w", app.ErrNotConnected, err)
	case errors.Is(err, whatsmeow.ErrUnknownServer), errors.Is(err, whatsmeow.ErrRecipientADJID),
		errors.Is(err, whatsmeow.ErrBroadcastListUnsupported),
		// whatsmeow's readings of a group query's IQ refusal (they wrap
		// it, but say why in words).
		errors.Is(err, whatsmeow.ErrGroupNotFound), errors.Is(err, whatsmeow.ErrNotInGroup),
		errors.Is(err, whatsmeow.ErrGroupInviteLinkUnauthorized),
		errors.Is(err, whatsmeow.ErrInviteLinkInvalid), errors.Is(err, whatsmeow.ErrInviteLinkRevoked),
		errors.Is(err, whatsmeow.ErrProfilePictureUnauthorized), errors.Is(err, whatsmeow.ErrProfilePictureNotSet):
		return fmt.Errorf("%w: %w", app.ErrPermanent, err)
	case errors.As(err, &iq) && refused(iq.Code):
		return fmt.Errorf("%w: %w", app.ErrPermanent, err)
	case errors.Is(err, whatsmeow.ErrServerReturnedError) && refused(serverErrorCode(err)):
		return fmt.Errorf("%w: %w", app.ErrPermanent, err)
	}
	return err
}

// warned tells whether err is WhatsApp telling the number to slow down:
// a send answered with error 463 (the reach-out limit on new chats) or 429
// (rate over limit), or an IQ answered 429 rate-overlimit (the device
// lookups of a send to many new people). whatsmeow gives none of them a
// deadline.
func warned(err error) bool {
	var iq *whatsmeow.IQError
	if errors.As(err, &iq) && iq.Code == 429 {
		return true
	}
	if errors.Is(err, whatsmeow.ErrServerReturnedError) {
		switch serverErrorCode(err) {
		case 463, 429:
			return true
		}
	}
	return false
}

// refused tells whether a server status code rejects the request itself:
// 4xx, except timeouts and rate limits, which pass with time.
func refused(code int) bool {
	switch code {
	case 408, 419, 429: // request timeout, resource limit, rate over limit
		return false
	}
	return code >= 400 && code < 500
}

// serverErrorCode reads the code whatsmeow puts after ErrServerReturnedError
// ("server returned error 479"); it has no typed field. 0 when absent.
func serverErrorCode(err error) int {
	_, rest, ok := strings.Cut(err.Error(), whatsmeow.ErrServerReturnedError.Error()+" ")
	if !ok {
		return 0
	}
	end := strings.IndexFunc(rest, func(r rune) bool { return r < '0' || r > '9' })
	if end >= 0 {
		rest = rest[:end]
	}
	code, _ := strconv.Atoi(rest)
	return code
}
