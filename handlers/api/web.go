package api

import (
	"crypto/sha256"
	"encoding/hex"
	"io/fs"
	"path"
	"strings"
	"sync"

	"github.com/gofiber/fiber/v2"

	"github.com/zapgate/zapgate/domain"
	"github.com/zapgate/zapgate/web"
)

// The browser side (package web) is served from the binary: GET / is the
// dashboard, GET /feedback/:token the customer's rating page, and the
// scripts and the style sheet live under /assets/.

// webTypes are the content types of the files package web may hold.
var webTypes = map[string]string{
	".html": fiber.MIMETextHTMLCharsetUTF8,
	".js":   "text/javascript; charset=utf-8",
	".css":  "text/css; charset=utf-8",
	".svg":  "image/svg+xml",
	".png":  "image/png",
	".ico":  "image/x-icon",
}

// pageSecurity is what every page sends: nothing but this origin may run
// or load, the pages cannot be framed, and links do not leak the page's
// address (the feedback page's address is a secret).
var pageSecurity = map[string]string{
	"Content-Security-Policy": "default-src 'self'; script-src 'self'; style-src 'self'; " +
		"img-src 'self' blob: data:; media-src 'self' blob:; connect-src 'self'; " +
		"object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
	"Referrer-Policy":        "no-referrer",
	"X-Frame-Options":        "DENY",
	"X-Content-Type-Options": "nosniff",
}

type webFile struct {
	body  []byte
	ctype string
	etag  string
}

// webFiles reads package web's files once.
var webFiles = sync.OnceValue(func() map[string]webFile {
	out := map[string]webFile{}
	entries, _ := fs.ReadDir(web.FS, ".")
	for _, e := range entries {
		ctype, ok := webTypes[path.Ext(e.Name())]
		if e.IsDir() || !ok {
			continue
		}
		body, err := fs.ReadFile(web.FS, e.Name())
		if err != nil {
			continue
		}
		sum := sha256.Sum256(body)
		out[e.Name()] = webFile{body: body, ctype: ctype, etag: `"` + hex.EncodeToString(sum[:8]) + `"`}
	}
	return out
})

// sendWebFile answers one embedded file. Cache-Control: no-cache makes the
// browser ask every time, and the ETag makes that ask cheap, so a new
// binary's files are seen at once.
func sendWebFile(c *fiber.Ctx, name string) error {
	f, ok := webFiles()[name]
	if !ok {
		return domain.NotFound("route")
	}
	c.Set(fiber.HeaderContentType, f.ctype)
	c.Set(fiber.HeaderCacheControl, "no-cache")
	c.Set(fiber.HeaderETag, f.etag)
	for k, v := range pageSecurity {
		c.Set(k, v)
	}
	if match := c.Get(fiber.HeaderIfNoneMatch); match != "" && strings.Contains(match, f.etag) {
		return c.SendStatus(fiber.StatusNotModified)
	}
	return c.Send(f.body)
}

// webIndex serves the dashboard.
func (s *Server) webIndex(c *fiber.Ctx) error { return sendWebFile(c, "index.html") }

// webFeedback serves the public feedback page; the page reads the token
// from its own address and asks /v1/feedback/:token for the link's state.
func (s *Server) webFeedback(c *fiber.Ctx) error { return sendWebFile(c, "feedback.html") }

// webAsset serves /assets/<file> (scripts, style sheet); it is mounted with
// Use under /assets, so anything it does not hold falls through to 404.
func (s *Server) webAsset(c *fiber.Ctx) error {
	if c.Method() != fiber.MethodGet && c.Method() != fiber.MethodHead {
		return c.Next()
	}
	name, ok := strings.CutPrefix(c.Path(), "/assets/")
	if !ok || name == "" || strings.Contains(name, "/") || strings.HasSuffix(name, ".html") {
		return c.Next()
	}
	if _, ok := webFiles()[name]; !ok {
		return c.Next()
	}
	return sendWebFile(c, name)
}
