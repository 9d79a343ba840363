package app

import (
	"context"
	"mime"
	"net/url"
	"strings"

	"github.com/zapgate/zapgate/domain"
)

// MediaFetcher downloads the media a client names by URL. Implementations
// apply the webhook address rules at connect time, stop reading past limit
// bytes (domain.ErrMediaTooLarge) and give up after their timeout, and
// report what went wrong as domain errors naming media.url.
type MediaFetcher interface {
	// Fetch returns the body and the response's Content-Type.
	Fetch(ctx context.Context, rawURL string, limit int64) ([]byte, string, error)
}

// fetchMedia downloads media by URL at request time, so the client learns
// of a bad URL from its answer rather than from a failed message later.
func (a *App) fetchMedia(ctx context.Context, up *MediaUpload) error {
	if len(up.Data) > 0 {
		return domain.InvalidField("media", "takes data or url, not both")
	}
	if err := domain.CheckText("media.url", up.URL); err != nil {
		return err
	}
	u, err := url.Parse(up.URL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return domain.InvalidField("media.url", "must be an http(s) URL")
	}
	if a.fetcher == nil {
		return domain.InvalidField("media.url", "this server does not fetch media by URL; send media.data")
	}
	if a.guard != nil {
		if err := a.guard.CheckURL(ctx, up.URL); err != nil {
			return domain.InvalidField("media.url", err.Error())
		}
	}
	data, contentType, err := a.fetcher.Fetch(ctx, up.URL, domain.MaxMediaBytes)
	if err != nil {
		return err
	}
	up.Data = data
	if up.Mime == "" {
		up.Mime = servedMime(contentType)
	}
	if up.Filename == "" {
		up.Filename = urlFilename(u)
	}
	return nil
}

// servedMime is the type a server declared, "" when it declared none worth
// trusting (the content is then sniffed).
func servedMime(contentType string) string {
	mt, _, err := mime.ParseMediaType(contentType)
	if err != nil {
		return ""
	}
	switch mt {
	case "application/octet-stream", "binary/octet-stream", "application/x-download", "application/force-download":
		return ""
	}
	return mt
}

// urlFilename is the last path segment of u, a document's name when the
// client gave none; "" when it has none or it is too long to keep.
func urlFilename(u *url.URL) string {
	name := u.Path[strings.LastIndexByte(u.Path, '/')+1:]
	if len(name) > domain.MaxFilenameLen || domain.TextProblem(name) != "" {
		return ""
	}
	return name
}
