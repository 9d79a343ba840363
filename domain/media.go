package domain

import (
	"encoding/base64"
	"net/http"
	"strings"
)

// DecodeMediaData decodes media sent inline: plain base64 (standard or
// URL-safe, padded or not) or a data URL ("data:image/png;base64,...").
// It returns the bytes and the mime the data URL declared, if any.
// Sizes are checked before decoding so a huge string costs no allocation.
func DecodeMediaData(s string) ([]byte, string, error) {
	declared := ""
	if strings.HasPrefix(s, "data:") {
		comma := strings.IndexByte(s, ',')
		if comma < 0 {
			return nil, "", InvalidField("media.data", "is a data URL without data")
		}
		meta := s[len("data:"):comma]
		params := strings.Split(meta, ";")
		if params[len(params)-1] != "base64" {
			return nil, "", InvalidField("media.data", "data URL must be base64 encoded")
		}
		declared = strings.ToLower(strings.TrimSpace(params[0]))
		s = s[comma+1:]
	}
	s = strings.TrimRight(strings.TrimSpace(s), "=")
	if s == "" {
		return nil, "", InvalidField("media.data", "is required")
	}
	if base64.RawStdEncoding.DecodedLen(len(s)) > MaxMediaBytes {
		return nil, "", ErrMediaTooLarge
	}
	enc := base64.RawStdEncoding
	if strings.ContainsAny(s, "-_") {
		enc = base64.RawURLEncoding
	}
	data, err := enc.DecodeString(s)
	if err != nil {
		return nil, "", InvalidField("media.data", "must be base64 or a base64 data URL")
	}
	return data, declared, nil
}

// ErrMediaTooLarge is returned for media over MaxMediaBytes once decoded.
var ErrMediaTooLarge = &Error{Kind: KindTooLarge, Code: "media_too_large", Message: "media must be at most 16 MiB once decoded"}

// SniffMime guesses the mime type of data from its first bytes.
func SniffMime(data []byte) string {
	mt := http.DetectContentType(data)
	if i := strings.IndexByte(mt, ';'); i >= 0 {
		mt = mt[:i]
	}
	switch {
	case mt == "application/ogg" && isOpus(data):
		return "audio/ogg"
	case mt == "application/octet-stream" && len(data) > 11 && string(data[4:8]) == "ftyp":
		return "video/mp4"
	}
	return mt
}

func isOpus(data []byte) bool {
	n := min(len(data), 64)
	return strings.Contains(string(data[:n]), "OpusHead")
}

// family is the part of a mime type that must agree between the declared and
// the sniffed type; "" means the sniffer cannot tell.
func family(mt string) string {
	switch mt {
	case "", "application/octet-stream", "text/plain", "application/zip":
		return "" // generic: zip covers docx, xlsx, apk...
	case "application/ogg":
		return "" // audio or video
	case "video/mp4", "audio/mp4":
		return "mp4" // m4a and mp4 share a container
	}
	if i := strings.IndexByte(mt, '/'); i > 0 {
		return mt[:i]
	}
	return mt
}

// ResolveMime returns the mime to store for media of the given type: the
// declared one when it agrees with the content, the sniffed one when none was
// declared. A declaration that clearly contradicts the content (a PDF declared
// as image/png) or a mime that does not fit the message type is refused.
func ResolveMime(t MessageType, declared string, data []byte) (string, error) {
	declared = strings.ToLower(strings.TrimSpace(declared))
	if i := strings.IndexByte(declared, ';'); i >= 0 {
		declared = strings.TrimSpace(declared[:i])
	}
	sniffed := SniffMime(data)
	if declared != "" {
		if !validMime(declared) {
			return "", InvalidField("media.mime", "must be a mime type like image/png")
		}
		df, sf := family(declared), family(sniffed)
		if df == "mp4" || sf == "mp4" {
			if !(df == "mp4" || strings.HasPrefix(declared, "audio/") || strings.HasPrefix(declared, "video/")) && sf != "" {
				return "", InvalidField("media.mime", "declared "+declared+" but the content is "+sniffed)
			}
		} else if df != "" && sf != "" && df != sf && declared != sniffed {
			return "", InvalidField("media.mime", "declared "+declared+" but the content is "+sniffed)
		}
	}
	mt := declared
	if mt == "" {
		mt = sniffed
	}
	if t == TypeSticker && mt != "image/webp" {
		return "", InvalidField("media", StickerRule)
	}
	if !fitsType(t, mt) {
		return "", InvalidField("media.mime", mt+" cannot be sent as "+string(t))
	}
	return mt, nil
}

func validMime(s string) bool {
	i := strings.IndexByte(s, '/')
	if i <= 0 || i == len(s)-1 || len(s) > 127 {
		return false
	}
	for _, c := range s {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || strings.ContainsRune("/.+-_", c)) {
			return false
		}
	}
	return true
}

func fitsType(t MessageType, mt string) bool {
	switch t {
	case TypeImage:
		return strings.HasPrefix(mt, "image/")
	case TypeAudio:
		return strings.HasPrefix(mt, "audio/") || mt == "application/ogg" || mt == "video/mp4"
	case TypeVideo:
		return strings.HasPrefix(mt, "video/") || mt == "application/ogg"
	}
	return true
}
