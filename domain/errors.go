// Package domain holds zapgate's entities and the rules that keep them valid.
// It depends on the standard library only.
package domain

import (
	"errors"
	"fmt"
	"time"
)

// Kind classifies an error so the HTTP layer can map it to a status in one place.
type Kind int

const (
	KindInternal Kind = iota
	KindInvalid
	KindUnauthorized
	KindNotFound
	KindConflict
	KindGone
	KindTooLarge
	KindRateLimited
	KindUnavailable
	KindUnprocessable
)

// Error is an expected failure with a stable snake_case code for clients.
type Error struct {
	Kind    Kind
	Code    string
	Message string
	Fields  map[string]string
	// RetryAfter, for a rate limit, is when the client may try again.
	RetryAfter time.Duration
	// Err is the cause, for logs; clients see Message only.
	Err error
}

func (e *Error) Error() string {
	s := e.Code + ": " + e.Message
	if len(e.Fields) > 0 {
		s = fmt.Sprintf("%s %v", s, e.Fields)
	}
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

// Unwrap exposes the cause to errors.Is and errors.As.
func (e *Error) Unwrap() error { return e.Err }

// Is makes errors.Is match on kind and code, so sentinel errors below work.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Kind == e.Kind && t.Code == e.Code
}

// Invalid reports invalid fields; fields maps a JSON field name to a reason.
func Invalid(fields map[string]string) *Error {
	return &Error{Kind: KindInvalid, Code: "invalid_request", Message: "some fields are invalid", Fields: fields}
}

// InvalidField is Invalid for a single field.
func InvalidField(field, reason string) *Error {
	return Invalid(map[string]string{field: reason})
}

// NotFound reports a missing (or not visible) resource.
func NotFound(what string) *Error {
	return &Error{Kind: KindNotFound, Code: "not_found", Message: what + " not found"}
}

// Conflict reports a request that does not fit the current state.
func Conflict(code, message string) *Error {
	return &Error{Kind: KindConflict, Code: code, Message: message}
}

// Unavailable reports that a dependency ("database", "broker", "storage")
// is out of reach, naming it so an operator knows where to look; clients
// should retry.
func Unavailable(dependency string, err error) *Error {
	return &Error{Kind: KindUnavailable, Code: "unavailable", Err: err,
		Message: dependency + " unavailable: it cannot be reached right now; retry shortly"}
}

// RateLimited refuses a request over a limit; the client may retry after
// retryAfter.
func RateLimited(code, message string, retryAfter time.Duration) *Error {
	return &Error{Kind: KindRateLimited, Code: code, Message: message, RetryAfter: retryAfter}
}

// ErrNotFound matches any NotFound error through errors.Is.
var ErrNotFound = NotFound("resource")

// KindOf returns the kind of err, KindInternal when it is not a domain error.
func KindOf(err error) Kind {
	var de *Error
	if errors.As(err, &de) {
		return de.Kind
	}
	return KindInternal
}

// IsNotFound tells whether err is a not-found error.
func IsNotFound(err error) bool { return KindOf(err) == KindNotFound }
