package http

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"encoding/json"
	"errors"
	"io"
	"net"
	"strings"
	"syscall"

	"github.com/lib/pq"

	"github.com/gofiber/fiber/v2"

	"github.com/zapgate/zapgate/domain"
)

// errorBody is the one error shape of the API.
type errorBody struct {
	Error errorDetail `json:"error"`
}

type errorDetail struct {
	Code    string            `json:"code"`
	Message string            `json:"message"`
	Fields  map[string]string `json:"fields,omitempty"`
}

var kindStatus = map[domain.Kind]int{
	domain.KindInvalid:      fiber.StatusBadRequest,
	domain.KindUnauthorized: fiber.StatusUnauthorized,
	domain.KindNotFound:     fiber.StatusNotFound,
	domain.KindConflict:     fiber.StatusConflict,
	domain.KindGone:         fiber.StatusGone,
	domain.KindTooLarge:     fiber.StatusRequestEntityTooLarge,
	domain.KindRateLimited:  fiber.StatusTooManyRequests,
	domain.KindUnavailable:  fiber.StatusServiceUnavailable,
	// Understood but refused, e.g. an Idempotency-Key reused for another body.
	domain.KindUnprocessable: fiber.StatusUnprocessableEntity,
}

// errorHandler maps every error a handler returns to a status and the API
// error shape: the one place where errors become HTTP.
func (s *Server) errorHandler(c *fiber.Ctx, err error) error {
	status, body := s.describe(c, err)
	if status >= 500 {
		s.log.Error("request failed", "method", c.Method(), "path", c.Path(), "err", err)
	}
	return c.Status(status).JSON(body)
}

func (s *Server) describe(c *fiber.Ctx, err error) (int, errorBody) {
	var de *domain.Error
	if errors.As(err, &de) {
		status, ok := kindStatus[de.Kind]
		if !ok {
			status = fiber.StatusInternalServerError
		}
		return status, errorBody{errorDetail{Code: de.Code, Message: de.Message, Fields: de.Fields}}
	}
	var fe *fiber.Error
	if errors.As(err, &fe) {
		code := strings.ReplaceAll(strings.ToLower(fiber.ErrInternalServerError.Message), " ", "_")
		switch fe.Code {
		case fiber.StatusNotFound:
			code = "not_found"
		case fiber.StatusMethodNotAllowed:
			code = "method_not_allowed"
		case fiber.StatusRequestEntityTooLarge:
			code = "body_too_large"
			if strings.HasSuffix(c.Path(), "/messages") {
				code = "media_too_large"
			}
		case fiber.StatusBadRequest:
			code = "bad_request"
		case fiber.StatusUnsupportedMediaType:
			code = "unsupported_media_type"
		case fiber.StatusRequestTimeout:
			code = "request_timeout"
		case fiber.StatusRequestHeaderFieldsTooLarge:
			code = "headers_too_large"
		default:
			if fe.Code < 500 {
				code = strings.ReplaceAll(strings.ToLower(fe.Message), " ", "_")
			}
		}
		return fe.Code, errorBody{errorDetail{Code: code, Message: fe.Message}}
	}
	if dep, ok := unavailable(err); ok {
		return fiber.StatusServiceUnavailable, errorBody{errorDetail{Code: "unavailable",
			Message: dep + " is unreachable; retry shortly"}}
	}
	return fiber.StatusInternalServerError, errorBody{errorDetail{Code: "internal", Message: "something went wrong on our side"}}
}

// unavailable tells whether err comes from a dependency being out of reach
// (refused or dropped connections, timeouts, a server shutting down), which
// clients should retry, rather than from a bug, and names the dependency as
// well as it can. Adapters that know which dependency failed return
// domain.Unavailable instead, mapped above.
func unavailable(err error) (string, bool) {
	var netErr net.Error
	var pqErr *pq.Error
	switch {
	case errors.Is(err, driver.ErrBadConn), errors.Is(err, sql.ErrConnDone):
		return "the database", true
	case errors.As(err, &pqErr):
		// Class 08 is connection exceptions, 57P0x the server going away.
		code := string(pqErr.Code)
		return "the database", strings.HasPrefix(code, "08") || strings.HasPrefix(code, "57P")
	case errors.As(err, &netErr), errors.Is(err, context.DeadlineExceeded),
		errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF), errors.Is(err, syscall.ECONNREFUSED),
		errors.Is(err, syscall.ECONNRESET):
		return "a dependency (database or broker)", true
	}
	return "", false
}

// bindJSON decodes the request body into v.
func bindJSON(c *fiber.Ctx, v any) error { return decodeJSON(c.Body(), v) }

// decodeJSON decodes body into v; malformed JSON or a wrong type is a 400
// naming the field.
func decodeJSON(body []byte, v any) error {
	if len(body) == 0 {
		return &domain.Error{Kind: domain.KindInvalid, Code: "invalid_json", Message: "a JSON body is required"}
	}
	if err := json.Unmarshal(body, v); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) && te.Field != "" {
			return domain.InvalidField(te.Field, "must be a "+te.Type.String())
		}
		return &domain.Error{Kind: domain.KindInvalid, Code: "invalid_json", Message: "the body is not valid JSON: " + err.Error()}
	}
	return nil
}
