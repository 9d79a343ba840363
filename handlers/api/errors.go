package api

import (
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"time"

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
// error shape: the one place where errors become HTTP. It maps kinds only:
// adapters classify their own failures (a lost database or broker is
// domain.Unavailable), so no driver is known here.
func (s *Server) errorHandler(c *fiber.Ctx, err error) error {
	status, body := s.describe(c, err)
	var de *domain.Error
	if errors.As(err, &de) && de.RetryAfter > 0 {
		// Whole seconds, rounded up: retrying at the floor would be early.
		c.Set(fiber.HeaderRetryAfter, strconv.Itoa(int((de.RetryAfter+time.Second-1)/time.Second)))
	}
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
	return fiber.StatusInternalServerError, errorBody{errorDetail{Code: "internal", Message: "something went wrong on our side"}}
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
