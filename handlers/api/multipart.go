package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/zapgate/zapgate/app"
	"github.com/zapgate/zapgate/domain"
)

// multipartLimit is the largest multipart message body: the file (no
// base64 inflation) and 1 MiB of fields and part headers.
const multipartLimit = domain.MaxMediaBytes + 1<<20

// maxFieldBytes bounds one form field; a caption or text is far shorter.
const maxFieldBytes = 256 << 10

// Form fields that are lists or booleans in the JSON body; every other
// field is a string.
var (
	multipartLists = map[string]bool{"mentions": true}
	multipartBools = map[string]bool{"ptt": true, "mention_all": true}
)

// parseSend reads a message request: JSON, or multipart/form-data with the
// file in the part "file" and the other fields as form fields.
func (s *Server) parseSend(c *fiber.Ctx) (app.SendMessage, error) {
	boundary, ok := multipartBoundary(c.Get(fiber.HeaderContentType))
	if !ok {
		return parseSendMessage(c.Body())
	}
	hint := c.Request().Header.ContentLength()
	if !c.Request().IsBodyStream() {
		return parseMultipartSend(bytes.NewReader(c.Body()), boundary, hint)
	}
	// limitBody left the body unread: the file goes straight from the
	// connection into its one buffer.
	cmd, err := parseMultipartSend(c.Context().RequestBodyStream(), boundary, hint)
	if err != nil {
		s.drain(c) // the client may still be writing the rest
	}
	return cmd, err
}

// multipartBoundary is the boundary of a multipart/form-data content type.
func multipartBoundary(contentType string) (string, bool) {
	mt, params, err := mime.ParseMediaType(contentType)
	if err != nil || mt != "multipart/form-data" || params["boundary"] == "" {
		return "", false
	}
	return params["boundary"], true
}

// parseMultipartSend reads a multipart message body from r. The file is
// read once, into one buffer (sized from sizeHint, the body's announced
// length, when known), never past domain.MaxMediaBytes; the fields go
// through the JSON request's own rules, so both bodies mean the same.
func parseMultipartSend(r io.Reader, boundary string, sizeHint int) (app.SendMessage, error) {
	lr := &io.LimitedReader{R: r, N: multipartLimit + 1}
	mr := multipart.NewReader(lr, boundary)
	fields := map[string]any{}
	var file []byte
	var haveFile bool
	var partName, partMime string
	for {
		p, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			if lr.N <= 0 {
				return app.SendMessage{}, domain.ErrMediaTooLarge
			}
			return app.SendMessage{}, badMultipart(err)
		}
		name := p.FormName()
		switch {
		case name == "":
			_ = p.Close()
			continue
		case name == "file":
			if haveFile {
				return app.SendMessage{}, domain.InvalidField("file", "must be sent once")
			}
			haveFile = true
			partName = p.FileName()
			if file, err = readFile(p, sizeHint); err != nil {
				if lr.N <= 0 {
					return app.SendMessage{}, domain.ErrMediaTooLarge
				}
				return app.SendMessage{}, err
			}
			if ct := p.Header.Get("Content-Type"); ct != "application/octet-stream" {
				partMime = ct // what form encoders put when they know no better is left out
			}
			continue
		}
		v, err := io.ReadAll(io.LimitReader(p, maxFieldBytes+1))
		if err != nil {
			if lr.N <= 0 {
				return app.SendMessage{}, domain.ErrMediaTooLarge
			}
			return app.SendMessage{}, badMultipart(err)
		}
		if len(v) > maxFieldBytes {
			return app.SendMessage{}, domain.InvalidField(name, "is too long for a form field")
		}
		if err := addField(fields, name, string(v)); err != nil {
			return app.SendMessage{}, err
		}
	}
	if lr.N <= 0 {
		return app.SendMessage{}, domain.ErrMediaTooLarge
	}
	return multipartCommand(fields, file, haveFile, partName, partMime)
}

// readFile reads the file part into one buffer of at most MaxMediaBytes.
func readFile(p io.Reader, sizeHint int) ([]byte, error) {
	size := sizeHint
	if size <= 0 || size > domain.MaxMediaBytes {
		size = domain.MaxMediaBytes
		if sizeHint <= 0 {
			size = 512 << 10 // unknown length: grow as it comes
		}
	}
	buf := make([]byte, 0, size+1)
	for {
		if len(buf) > domain.MaxMediaBytes {
			return nil, domain.ErrMediaTooLarge
		}
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)] // only an unknown length grows
		}
		n, err := p.Read(buf[len(buf):min(cap(buf), domain.MaxMediaBytes+1)])
		buf = buf[:len(buf)+n]
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, badMultipart(err)
		}
	}
	if len(buf) > domain.MaxMediaBytes {
		return nil, domain.ErrMediaTooLarge
	}
	return buf, nil
}

// addField records one form field as the JSON body would carry it.
func addField(fields map[string]any, name, v string) error {
	if err := domain.CheckText(name, v); err != nil {
		return err
	}
	switch {
	case multipartLists[name]:
		list, _ := fields[name].([]string)
		for _, item := range strings.Split(v, ",") {
			if item = strings.TrimSpace(item); item != "" {
				list = append(list, item)
			}
		}
		fields[name] = list
		return nil
	case fields[name] != nil:
		return domain.InvalidField(name, "must be given once")
	case multipartBools[name]:
		b, err := strconv.ParseBool(strings.TrimSpace(v))
		if err != nil {
			return domain.InvalidField(name, "must be true or false")
		}
		fields[name] = b
	default:
		fields[name] = v
	}
	return nil
}

// multipartCommand turns the fields into the JSON request (so every field
// the JSON body takes works here too) and adds the file as the media.
func multipartCommand(fields map[string]any, file []byte, haveFile bool, partName, partMime string) (app.SendMessage, error) {
	mimeType, _ := fields["mime"].(string)
	if mimeType == "" {
		mimeType = partMime
	}
	filename, _ := fields["filename"].(string)
	if filename == "" {
		filename = partName
	}
	for _, k := range []string{"mime", "filename", "media"} {
		delete(fields, k)
	}
	raw, err := json.Marshal(fields)
	if err != nil {
		return app.SendMessage{}, badMultipart(err)
	}
	var req sendMessageRequest
	if err := decodeJSON(raw, &req); err != nil {
		return app.SendMessage{}, err
	}
	cmd, err := req.command()
	if err != nil {
		return cmd, err
	}
	if haveFile {
		if len(file) == 0 {
			return cmd, domain.InvalidField("file", "is empty")
		}
		cmd.Media = &app.MediaUpload{Data: file, Mime: mimeType, Filename: filename}
	}
	return cmd, nil
}

func badMultipart(err error) error {
	return &domain.Error{Kind: domain.KindInvalid, Code: "invalid_multipart", Message: "the multipart body could not be read: " + err.Error()}
}
