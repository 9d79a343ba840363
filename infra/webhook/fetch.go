package webhook

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"

	"github.com/zapgate/zapgate/domain"
)

// FetchTimeout is how long a media download may take in all (API.md: 30 s).
const FetchTimeout = 30 * time.Second

// maxRedirects bounds a media download's redirects; each hop is checked
// like the first (scheme here, address at connect time).
const maxRedirects = 5

// Fetcher downloads media clients name by URL under the webhook address
// rules: the same guarded transport, so ZAPGATE_WEBHOOK_DENY_PRIVATE
// keeps it off private networks, redirects included.
type Fetcher struct {
	client  *http.Client
	timeout time.Duration
}

// NewFetcher returns a fetcher; timeout 0 means FetchTimeout.
func NewFetcher(denyPrivate bool, timeout time.Duration) *Fetcher {
	if timeout <= 0 {
		timeout = FetchTimeout
	}
	return &Fetcher{timeout: timeout, client: &http.Client{
		Transport: guardedTransport(denyPrivate),
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			if len(via) >= maxRedirects {
				return errors.New("too many redirects")
			}
			if req.URL.Scheme != "http" && req.URL.Scheme != "https" {
				return errors.New("redirected to a URL that is not http(s)")
			}
			return nil
		},
	}}
}

// Fetch implements app.MediaFetcher: the body, read up to limit bytes
// (past it domain.ErrMediaTooLarge, and the rest is never read), and its
// Content-Type. Failures are domain errors naming media.url.
func (f *Fetcher) Fetch(ctx context.Context, rawURL string, limit int64) ([]byte, string, error) {
	ctx, cancel := context.WithTimeout(ctx, f.timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, rawURL, nil)
	if err != nil {
		return nil, "", domain.InvalidField("media.url", "must be an http(s) URL")
	}
	req.Header.Set("User-Agent", "zapgate-media/1")
	resp, err := f.client.Do(req)
	if err != nil {
		return nil, "", f.problem(ctx, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return nil, "", domain.InvalidField("media.url", fmt.Sprintf("answered HTTP %d", resp.StatusCode))
	}
	if resp.ContentLength > limit {
		return nil, "", domain.ErrMediaTooLarge
	}
	// One buffer sized up front when the length is known; never more than
	// limit+1 bytes are read.
	size := resp.ContentLength
	if size < 0 || size > limit {
		size = 512 << 10
	}
	buf := make([]byte, 0, size+1)
	for {
		if int64(len(buf)) > limit {
			return nil, "", domain.ErrMediaTooLarge
		}
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)]
		}
		n, err := resp.Body.Read(buf[len(buf):min(cap(buf), int(limit)+1)])
		buf = buf[:len(buf)+n]
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, "", f.problem(ctx, err)
		}
	}
	if int64(len(buf)) > limit {
		return nil, "", domain.ErrMediaTooLarge
	}
	if len(buf) == 0 {
		return nil, "", domain.InvalidField("media.url", "answered with an empty body")
	}
	return buf, resp.Header.Get("Content-Type"), nil
}

// problem words a failed download for the client.
func (f *Fetcher) problem(ctx context.Context, err error) error {
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return domain.InvalidField("media.url", fmt.Sprintf("could not be downloaded within %s", f.timeout))
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err // the URL is the client's own; the cause is the news
	}
	return domain.InvalidField("media.url", "could not be downloaded: "+err.Error())
}
