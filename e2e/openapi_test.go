package e2e

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/fasthttp/websocket"
	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"
)

// contract checks live requests and answers against the OpenAPI document
// the binary serves: every request the test sends must satisfy it (unless
// it is broken on purpose), and every answer must be documented (status,
// content type, body schema).
type contract struct {
	t      *testing.T
	p      *proc
	doc    *openapi3.T
	router routers.Router
	opts   *openapi3filter.Options
	seen   map[string]bool // "METHOD /template" answered and validated
	codes  map[int]bool    // statuses validated
}

func newContract(t *testing.T, p *proc) *contract {
	t.Helper()
	raw := p.do("GET", "/openapi.yaml", "", nil)
	if raw.Status != 200 {
		t.Fatalf("GET /openapi.yaml = %d", raw.Status)
	}
	doc, err := openapi3.NewLoader().LoadFromData(raw.Body)
	if err != nil {
		t.Fatalf("the served document does not load: %v", err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		t.Fatalf("the served document is not valid OpenAPI: %v", err)
	}
	router, err := gorillamux.NewRouter(doc)
	if err != nil {
		t.Fatal(err)
	}
	// The validator decodes only bodies it has a decoder for; these are the
	// types zapgate answers with besides JSON.
	for _, ct := range []string{"image/png", "audio/ogg", "video/mp4", "application/pdf"} {
		openapi3filter.RegisterBodyDecoder(ct, openapi3filter.FileBodyDecoder)
	}
	openapi3filter.RegisterBodyDecoder("text/html", openapi3filter.PlainBodyDecoder)
	openapi3filter.RegisterBodyDecoder("text/csv", openapi3filter.PlainBodyDecoder)
	uuid := openapi3.NewRegexpFormatValidator(openapi3.FormatOfStringForUUIDOfRFC9562)
	return &contract{t: t, p: p, doc: doc, router: router, seen: map[string]bool{}, codes: map[int]bool{},
		opts: &openapi3filter.Options{
			IncludeResponseStatus: true, // an undocumented status is a drift
			MultiError:            true,
			AuthenticationFunc:    checkCredentials,
			SchemaValidationOptions: []openapi3.SchemaValidationOption{
				openapi3.EnableFormatValidation(), openapi3.WithStringFormatValidator("uuid", uuid)},
		}}
}

// checkCredentials holds the test's requests to the security the document
// asks for: a bearer header, or ?token= where that scheme is offered.
func checkCredentials(_ context.Context, in *openapi3filter.AuthenticationInput) error {
	req := in.RequestValidationInput.Request
	switch in.SecuritySchemeName {
	case "bearerAuth":
		if !strings.HasPrefix(req.Header.Get("Authorization"), "Bearer ") {
			return errors.New("no bearer token")
		}
	case "tokenQuery":
		if req.URL.Query().Get("token") == "" {
			return errors.New("no ?token=")
		}
	default:
		return fmt.Errorf("unknown security scheme %s", in.SecuritySchemeName)
	}
	return nil
}

// request is one call; body is JSON-encoded unless it is a string or
// []byte, sent with ctype.
type request struct {
	method, path, token string
	body                any
	ctype               string
	headers             []string
	// broken marks a request that breaks the document on purpose (bad
	// JSON, no token): only its answer is checked.
	broken bool
}

func (c *contract) build(r request) (*http.Request, []byte) {
	c.t.Helper()
	var raw []byte
	switch b := r.body.(type) {
	case nil:
	case string:
		raw = []byte(b)
	case []byte:
		raw = b
	default:
		var err error
		if raw, err = json.Marshal(b); err != nil {
			c.t.Fatal(err)
		}
	}
	req, err := http.NewRequest(r.method, c.p.base+r.path, bytes.NewReader(raw))
	if err != nil {
		c.t.Fatal(err)
	}
	if r.body != nil {
		ct := r.ctype
		if ct == "" {
			ct = "application/json"
		}
		req.Header.Set("Content-Type", ct)
	}
	if r.token != "" {
		req.Header.Set("Authorization", "Bearer "+r.token)
	}
	for i := 0; i+1 < len(r.headers); i += 2 {
		req.Header.Set(r.headers[i], r.headers[i+1])
	}
	return req, raw
}

// validateRequest finds the operation of req and checks req against it.
func (c *contract) validateRequest(req *http.Request, raw []byte, broken bool) *openapi3filter.RequestValidationInput {
	c.t.Helper()
	// A copy, so that validation does not consume the body that is sent.
	vreq := req.Clone(context.Background())
	vreq.Body = io.NopCloser(bytes.NewReader(raw))
	route, params, err := c.router.FindRoute(vreq)
	if err != nil {
		c.t.Errorf("%s %s is not in the document: %v", req.Method, req.URL.Path, err)
		return nil
	}
	in := &openapi3filter.RequestValidationInput{Request: vreq, PathParams: params, Route: route, Options: c.opts}
	err = openapi3filter.ValidateRequest(context.Background(), in)
	switch {
	case err != nil && !broken:
		c.t.Errorf("the test's own request %s %s breaks the document: %.1500s", req.Method, req.URL.Path, err.Error())
	case err == nil && broken:
		c.t.Errorf("the document accepts %s %s, which the test breaks on purpose", req.Method, req.URL.Path)
	}
	return in
}

// validateResponse checks an answer against the operation of in.
func (c *contract) validateResponse(in *openapi3filter.RequestValidationInput, status int, header http.Header, body []byte) {
	c.t.Helper()
	if in == nil {
		return
	}
	out := &openapi3filter.ResponseValidationInput{RequestValidationInput: in, Status: status, Header: header,
		Body: io.NopCloser(bytes.NewReader(body)), Options: c.opts}
	if err := openapi3filter.ValidateResponse(context.Background(), out); err != nil {
		c.t.Errorf("%s %s answered %d %q, which the document does not allow: %.1500s\nbody: %.600s",
			in.Request.Method, in.Request.URL.Path, status, header.Get("Content-Type"), err.Error(), body)
		return
	}
	c.seen[in.Request.Method+" "+in.Route.Path] = true
	c.codes[status] = true
}

// do sends r, expects the status want and checks both sides.
func (c *contract) do(want int, r request) response {
	c.t.Helper()
	req, raw := c.build(r)
	in := c.validateRequest(req, raw, r.broken)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	res, err := http.DefaultClient.Do(req.WithContext(ctx))
	if err != nil {
		c.t.Fatalf("%s %s: %v", r.method, r.path, err)
	}
	return c.answer(want, r, in, res)
}

// call is do for a JSON request that satisfies the document.
func (c *contract) call(want int, method, path, token string, body any, headers ...string) map[string]any {
	c.t.Helper()
	r := c.do(want, request{method: method, path: path, token: token, body: body, headers: headers})
	if r.Status != want || !strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
		return map[string]any{}
	}
	return r.JSON(c.t)
}

// raw is do over a bare connection that writes the whole request before
// reading: for answers the server gives before reading the request to its
// end (431), where an HTTP client may still be writing when the server
// closes.
func (c *contract) raw(want int, r request) response {
	c.t.Helper()
	req, raw := c.build(r)
	in := c.validateRequest(req, raw, r.broken)
	conn, err := net.Dial("tcp", req.URL.Host)
	if err != nil {
		c.t.Fatal(err)
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(30 * time.Second))
	// The server may answer and close before the request is written in
	// full (that is the point here), so a failed write is not the verdict:
	// the answer the server sent is.
	werr := req.Write(conn)
	res, err := http.ReadResponse(bufio.NewReader(conn), req)
	if err != nil {
		c.t.Fatalf("%s %s: reading the answer: %v (writing: %v)", r.method, r.path, err, werr)
	}
	return c.answer(want, r, in, res)
}

// answer reads res, checks its status and validates it against the
// document.
func (c *contract) answer(want int, r request, in *openapi3filter.RequestValidationInput, res *http.Response) response {
	c.t.Helper()
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	got := response{Status: res.StatusCode, Body: body, Header: res.Header}
	if got.Status != want {
		c.t.Errorf("%s %s = %d, want %d: %.300s", r.method, r.path, got.Status, want, body)
	}
	c.validateResponse(in, got.Status, got.Header, body)
	return got
}

// websocket upgrades GET /v1/ws?query and checks the 101 against the document.
func (c *contract) websocket(query string) *websocket.Conn {
	c.t.Helper()
	req, _ := c.build(request{method: "GET", path: "/v1/ws?" + query})
	req.Header.Set("Connection", "Upgrade")
	req.Header.Set("Upgrade", "websocket")
	in := c.validateRequest(req, nil, false)
	conn, res, err := websocket.DefaultDialer.Dial(strings.Replace(c.p.base, "http://", "ws://", 1)+"/v1/ws?"+query, nil)
	if err != nil {
		c.t.Fatalf("websocket %s: %v", query, err)
	}
	c.t.Cleanup(func() { conn.Close() })
	c.validateResponse(in, res.StatusCode, res.Header, nil)
	return conn
}

// validate checks a value (an event envelope, a webhook body) against a
// component schema.
func (c *contract) validate(schema string, v any) {
	c.t.Helper()
	ref := c.doc.Components.Schemas[schema]
	if ref == nil {
		c.t.Fatalf("components.schemas.%s is missing", schema)
	}
	if err := ref.Value.VisitJSON(v, append(c.opts.SchemaValidationOptions, openapi3.VisitAsResponse())...); err != nil {
		c.t.Errorf("%.300v does not match %s: %.1500s", v, schema, err.Error())
	}
}

// checkCoverage fails for every documented operation the run did not
// validate an answer of, and for the statuses it did not see.
func (c *contract) checkCoverage(statuses ...int) {
	c.t.Helper()
	var missing []string
	for path, item := range c.doc.Paths.Map() {
		for method := range item.Operations() {
			if key := method + " " + path; !c.seen[key] {
				missing = append(missing, key)
			}
		}
	}
	sort.Strings(missing)
	for _, m := range missing {
		c.t.Errorf("no validated answer of %s", m)
	}
	for _, s := range statuses {
		if !c.codes[s] {
			c.t.Errorf("no validated %d answer", s)
		}
	}
}

func str(t *testing.T, m map[string]any, key string) string {
	t.Helper()
	s, _ := m[key].(string)
	if s == "" {
		t.Fatalf("no %q in %v", key, m)
	}
	return s
}

// TestOpenAPIContractHoldsForLiveResponses drives a representative run of
// every route group and validates each request and answer against the
// served document.
func TestOpenAPIContractHoldsForLiveResponses(t *testing.T) {
	t.Parallel()
	recv := newReceiver(t)
	p := newEnv(t).start()
	c := newContract(t, p)
	const client = "5511977770001"

	// Health and docs; any route refuses oversized headers with 431.
	for _, path := range []string{"/healthz", "/readyz", "/metrics", "/openapi.yaml", "/openapi.json", "/docs"} {
		c.do(200, request{method: "GET", path: path})
	}
	// 8 KiB of headers: over the server's 4 KiB, within what a socket
	// buffers, so the whole request is written before the answer is read.
	c.raw(431, request{method: "GET", path: "/healthz", headers: []string{"X-Padding", strings.Repeat("x", 8<<10)}})

	// Instances and linking.
	in := c.call(201, "POST", "/v1/instances", adminToken, map[string]any{"name": "contract"})
	id, itoken := str(t, in, "id"), str(t, in, "token")
	inst := "/v1/instances/" + id
	c.call(200, "GET", "/v1/instances?limit=10", adminToken, nil)
	c.call(200, "PATCH", inst, itoken, map[string]any{"name": "contract-2", "send_rate_per_minute": 0})
	c.call(200, "PATCH", inst, itoken, map[string]any{"send_rate_per_minute": nil})
	// Business hours with their texts and SLA, then no hours and no texts
	// (the helpdesk below counts its messages); the SLA stays, so
	// attendances show sla_due_at.
	c.call(200, "PATCH", inst, itoken, map[string]any{"business_hours": map[string]any{"timezone": "America/Sao_Paulo",
		"week": map[string]any{"mon": [][]string{{"09:00", "18:00"}}, "sat": [][]string{{"22:00", "06:00"}}, "sun": [][]string{}}},
		"greeting_message": "Olá!", "away_message": "Fora do horário.", "first_response_sla": "15m"})
	c.call(200, "GET", inst, itoken, nil)
	c.call(400, "PATCH", inst, itoken, map[string]any{"business_hours": map[string]any{"timezone": "UTC", "week": map[string]any{"mon": [][]string{{"18:00", "18:00"}}}}})
	c.call(200, "PATCH", inst, itoken, map[string]any{"business_hours": nil, "greeting_message": nil, "away_message": ""})
	eventually(t, 20*time.Second, "a QR code", func() bool {
		return p.must(200, "GET", inst, adminToken, nil)["status"] == "qr"
	})
	c.call(200, "GET", inst+"/qr", itoken, nil)
	c.do(200, request{method: "GET", path: inst + "/qr", token: itoken, headers: []string{"Accept", "image/png"}})
	c.call(200, "POST", inst+"/pair-code", itoken, map[string]any{"phone": "5511900000077"})
	c.call(409, "POST", inst+"/logout", itoken, nil)
	c.call(200, "POST", "/v1/sim/instances/"+id+"/scan", adminToken, map[string]any{"phone": "5511900000070"})
	eventually(t, 20*time.Second, "connected", func() bool {
		return p.must(200, "GET", inst, adminToken, nil)["status"] == "connected"
	})
	c.call(200, "GET", inst, itoken, nil)
	c.call(409, "GET", inst+"/qr", itoken, nil)
	c.call(409, "POST", inst+"/pair-code", itoken, map[string]any{"phone": "5511900000077"})

	// Commands that answer: a contacts check, waited for and not.
	c.call(200, "POST", "/v1/sim/contacts", adminToken, map[string]any{"phone": client, "lid": "777@lid", "business": true})
	c.call(200, "POST", inst+"/contacts/check?wait=true", itoken, map[string]any{"phones": []string{client, "5511977770009"}})
	check := c.call(202, "POST", inst+"/contacts/check", itoken, map[string]any{"phones": []string{client}})
	c.call(400, "POST", inst+"/contacts/check", itoken, map[string]any{"phones": []string{"12"}})
	// The check taught the contact: listed, found by phone, refused or unknown.
	c.call(200, "GET", inst+"/contacts?q=777&limit=10", itoken, nil)
	c.call(200, "GET", inst+"/contacts/"+client, itoken, nil)
	c.call(400, "GET", inst+"/contacts/not-an-address", itoken, nil)
	c.call(404, "GET", inst+"/contacts/5511977770009", itoken, nil)
	eventually(t, 20*time.Second, "the check done", func() bool {
		return p.must(200, "GET", inst+"/commands/"+str(t, check, "command_id"), itoken, nil)["status"] == "done"
	})
	c.call(200, "GET", inst+"/commands/"+str(t, check, "command_id"), itoken, nil)
	// Profiles: a picture (shown, hidden), block and unblock.
	c.call(200, "POST", "/v1/sim/contacts", adminToken, map[string]any{"phone": "5511977770002",
		"picture_url": "https://pps.example/ana.jpg"})
	c.call(200, "GET", inst+"/contacts/5511977770002/picture?wait=true", itoken, nil)
	c.call(202, "GET", inst+"/contacts/"+client+"/picture", itoken, nil)
	c.call(400, "GET", inst+"/contacts/not-an-address/picture", itoken, nil)
	c.call(200, "POST", inst+"/contacts/5511977770003/block?wait=true", itoken, nil)
	c.call(202, "POST", inst+"/contacts/5511977770003/unblock", itoken, nil)
	c.call(200, "POST", inst+"/contacts/5511977770004/unblock?wait=true", itoken, nil)
	c.call(202, "POST", inst+"/contacts/5511977770004/block", itoken, nil)
	c.call(400, "POST", inst+"/contacts/120363025246125244@g.us/block", itoken, nil)
	c.call(400, "POST", inst+"/contacts/120363025246125244@g.us/unblock", itoken, nil)

	// Groups: created (waited for and not), read, changed, its link, joined
	// (already in it), left; one created elsewhere.
	created := c.call(200, "POST", inst+"/groups?wait=true", itoken, map[string]any{"subject": "Contract", "participants": []string{client}})
	gjid := str(t, created["result"].(map[string]any), "jid")
	group := inst + "/groups/" + gjid
	c.call(202, "POST", inst+"/groups", itoken, map[string]any{"subject": "Contract later"})
	c.call(400, "POST", inst+"/groups", itoken, map[string]any{"subject": "   "})
	c.call(200, "GET", inst+"/groups?limit=10", itoken, nil)
	c.call(200, "GET", group, itoken, nil)
	c.call(400, "GET", inst+"/groups/not-a-group", itoken, nil)
	c.call(200, "PATCH", group+"?wait=true", itoken, map[string]any{"subject": "Contract 2", "announce": true})
	c.call(200, "POST", group+"/participants?wait=true", itoken, map[string]any{"action": "promote", "participants": []string{client}})
	invite := str(t, c.call(200, "GET", group+"/invite-link?wait=true&reset=true", itoken, nil)["result"].(map[string]any), "link")
	c.call(200, "POST", inst+"/groups/join?wait=true", itoken, map[string]any{"link": invite})
	c.call(422, "POST", inst+"/groups/join?wait=true", itoken, map[string]any{"link": "NoSuchInviteCode"})
	c.call(200, "POST", group+"/leave?wait=true", itoken, nil)
	elsewhere := str(t, c.call(201, "POST", "/v1/sim/groups", adminToken, map[string]any{"subject": "Elsewhere", "participants": []string{client}, "members": []string{id}}), "jid")

	// Messages: every type, idempotency, scheduling.
	msgs := inst + "/messages"
	sends := []map[string]any{
		{"to": client, "type": "text", "text": "hello"},
		{"to": client, "type": "image", "caption": "menu", "media": map[string]any{"data": "data:image/png;base64," + b64(pngFile), "filename": "menu.png"}},
		{"to": client, "type": "audio", "media": map[string]any{"data": b64(oggFile), "mime": "audio/ogg"}},
		{"to": client, "type": "video", "caption": "clip", "media": map[string]any{"data": b64(mp4File), "filename": "clip.mp4"}},
		{"to": client, "type": "document", "media": map[string]any{"data": b64(pdfFile), "mime": "application/pdf", "filename": "invoice.pdf"}},
	}
	// Mentions: named in a group message; mention_all of a group the
	// instance left is not found.
	mention := c.call(202, "POST", msgs, itoken, map[string]any{"to": "120363025246125244@g.us", "type": "text", "text": "hi @" + client,
		"mentions": []string{client}})
	c.call(200, "GET", msgs+"/"+str(t, mention, "id"), itoken, nil)
	c.call(400, "POST", msgs, itoken, map[string]any{"to": client, "type": "text", "text": "all", "mention_all": true})
	c.call(404, "POST", msgs, itoken, map[string]any{"to": gjid, "type": "text", "text": "all", "mention_all": true})
	var ids []string
	for _, body := range sends {
		ids = append(ids, str(t, c.call(202, "POST", msgs, itoken, body), "id"))
	}
	first := c.call(202, "POST", msgs, itoken, sends[0], "Idempotency-Key", "contract-1")
	again := c.call(200, "POST", msgs, itoken, sends[0], "Idempotency-Key", "contract-1")
	if first["id"] != again["id"] {
		t.Errorf("an Idempotency-Key repeat answered another message: %v, %v", first["id"], again["id"])
	}
	// Pending the idempotency branch: the same key with another body.
	c.call(422, "POST", msgs, itoken, sends[1], "Idempotency-Key", "contract-1")
	later := time.Now().Add(time.Hour).UTC().Format(time.RFC3339)
	sched := c.call(202, "POST", msgs, itoken, map[string]any{"to": client, "type": "text", "text": "later", "send_at": later})
	mid := str(t, sched, "id")
	c.call(200, "DELETE", msgs+"/"+mid, itoken, nil)
	c.call(409, "DELETE", msgs+"/"+mid, itoken, nil)
	eventually(t, 30*time.Second, "every message sent", func() bool {
		for _, m := range ids {
			if p.must(200, "GET", msgs+"/"+m, itoken, nil)["status"] != "sent" {
				return false
			}
		}
		return true
	})
	sent := c.call(200, "GET", msgs+"/"+ids[0], itoken, nil)
	c.call(200, "GET", msgs+"?direction=out&status=sent&limit=10", itoken, nil)
	for _, m := range ids[1:] {
		c.do(200, request{method: "GET", path: msgs + "/" + m + "/media", token: itoken})
	}
	// Media by URL, a multipart upload, a voice note; read receipts and
	// presence for a chat.
	files := mediaServer(t)
	c.call(202, "POST", msgs, itoken, map[string]any{"to": client, "type": "image", "media": map[string]any{"url": files.URL + "/menu.png"}})
	c.call(400, "POST", msgs, itoken, map[string]any{"to": client, "type": "image", "media": map[string]any{"url": files.URL + "/gone.png"}})
	form, formType := multipartBody(t, [][2]string{{"to", client}, {"type", "image"}, {"caption", "form"}}, "menu.png", "image/png", pngFile)
	c.do(202, request{method: "POST", path: msgs, token: itoken, body: form, ctype: formType})
	c.call(202, "POST", msgs, itoken, map[string]any{"to": client, "type": "audio", "ptt": true, "media": map[string]any{"data": b64(oggFile)}})
	c.call(200, "POST", inst+"/chats/"+client+"/read?wait=true", itoken, map[string]any{})
	c.call(202, "POST", inst+"/chats/"+client+"/read", itoken, nil)
	c.call(400, "POST", inst+"/chats/"+client+"/read", itoken, map[string]any{"message_ids": []string{mid}})
	c.call(200, "POST", inst+"/chats/"+client+"/presence?wait=true", itoken, map[string]any{"state": "typing"})
	c.call(202, "POST", inst+"/chats/"+client+"/presence", itoken, map[string]any{"state": "paused"})
	c.call(400, "POST", inst+"/chats/not-an-address/presence", itoken, map[string]any{"state": "typing"})
	c.call(200, "POST", "/v1/sim/instances/"+id+"/receipts", adminToken,
		map[string]any{"wa_message_id": str(t, sent, "wa_message_id"), "status": "delivered"})
	// Replies, reactions, edits and revokes.
	c.call(202, "POST", msgs, itoken, map[string]any{"to": client, "type": "text", "text": "yes", "reply_to": ids[0]})
	c.call(202, "POST", msgs, itoken, map[string]any{"type": "reaction", "message_id": ids[0], "emoji": "👍"})
	c.call(400, "POST", msgs, itoken, map[string]any{"type": "reaction", "message_id": mid, "emoji": "👍"})
	c.call(200, "PATCH", msgs+"/"+ids[0]+"?wait=true", itoken, map[string]any{"text": "hello again"})
	c.call(202, "PATCH", msgs+"/"+ids[1], itoken, map[string]any{"text": "the new menu"})
	c.call(400, "PATCH", msgs+"/"+ids[3], itoken, map[string]any{"text": "a\u0000b"})
	c.call(409, "PATCH", msgs+"/"+ids[2], itoken, map[string]any{"text": "audio has no caption"})
	c.call(200, "POST", msgs+"/"+ids[3]+"/revoke?wait=true", itoken, nil)
	c.call(202, "POST", msgs+"/"+ids[4]+"/revoke", itoken, nil)
	c.call(409, "POST", msgs+"/"+mid+"/revoke", itoken, nil)
	c.call(200, "POST", "/v1/sim/instances/"+id+"/inbound", adminToken, map[string]any{"from": client, "type": "reaction",
		"target_wa_message_id": str(t, sent, "wa_message_id"), "emoji": "❤️"})
	c.call(200, "GET", "/v1/sim/instances/"+id+"/sent?limit=100", adminToken, nil)
	c.call(200, "GET", "/v1/sim/stats", adminToken, nil)
	c.call(200, "POST", "/v1/sim/instances/"+id+"/faults", adminToken, map[string]any{"send_error": "none"})
	// Account health: WhatsApp's 463 pauses the instance, resume lifts it.
	c.call(409, "POST", inst+"/resume", itoken, nil)
	c.call(200, "POST", "/v1/sim/instances/"+id+"/faults", adminToken, map[string]any{"send_error": "rate_limited"})
	c.call(202, "POST", msgs, itoken, map[string]any{"to": client, "type": "text", "text": "paused, then sent"})
	eventually(t, 20*time.Second, "instance paused", func() bool {
		return p.must(200, "GET", inst, adminToken, nil)["health"].(map[string]any)["state"] == "paused"
	})
	c.call(200, "GET", inst, itoken, nil)
	c.call(200, "POST", inst+"/resume", itoken, nil)

	// Stickers, locations, contact cards and polls, sent and received;
	// a vote on the poll.
	var kinds []string
	for _, body := range []map[string]any{
		{"to": client, "type": "sticker", "media": map[string]any{"data": b64(webpFile), "mime": "image/webp"}},
		{"to": client, "type": "location", "location": map[string]any{"latitude": -23.5505, "longitude": -46.6333, "name": "Store", "address": "Av. Paulista 1000"}},
		{"to": client, "type": "contact", "contacts": []any{map[string]any{"name": "Ana Souza", "phones": []string{"5511988887777"}, "organization": "ACME", "email": "ana@example.com"}}},
		{"to": client, "type": "poll", "poll": map[string]any{"question": "Lunch?", "options": []string{"pizza", "sushi"}, "selectable": 1}},
	} {
		kinds = append(kinds, str(t, c.call(202, "POST", msgs, itoken, body), "id"))
	}
	c.call(400, "POST", msgs, itoken, map[string]any{"to": client, "type": "poll", "poll": map[string]any{"question": "q", "options": []string{"a", "a"}}})
	eventually(t, 30*time.Second, "every kind sent", func() bool {
		for _, m := range kinds {
			if p.must(200, "GET", msgs+"/"+m, itoken, nil)["status"] != "sent" {
				return false
			}
		}
		return true
	})
	var pollWA string
	for _, m := range kinds {
		pollWA = str(t, c.call(200, "GET", msgs+"/"+m, itoken, nil), "wa_message_id")
	}
	c.call(200, "GET", "/v1/sim/instances/"+id+"/sent?limit=100", adminToken, nil)
	for _, body := range []map[string]any{
		{"type": "sticker", "media": map[string]any{"data": b64(webpFile)}},
		{"type": "location", "location": map[string]any{"latitude": 1.5, "longitude": -2.5, "name": "Here"}},
		{"type": "contact", "contacts": []any{map[string]any{"name": "Bia", "phones": []string{"5511966665555"}}}},
		{"type": "poll", "poll": map[string]any{"question": "Tea?", "options": []string{"yes", "no"}}},
		{"type": "poll_vote", "target_wa_message_id": pollWA, "selected": []string{"pizza"}},
	} {
		body["from"] = client
		if body["type"] != "poll_vote" {
			// In a group, so the helpdesk below sees only the client's own two messages.
			body["group"] = "120363025246125244@g.us"
		}
		c.call(201, "POST", "/v1/sim/instances/"+id+"/inbound", adminToken, body)
	}
	c.call(404, "POST", "/v1/sim/instances/"+id+"/inbound", adminToken, map[string]any{"from": client, "type": "poll_vote",
		"target_wa_message_id": "NO-SUCH-POLL", "selected": []string{}})
	if votes := c.call(200, "GET", msgs+"/"+kinds[3], itoken, nil)["poll"].(map[string]any)["options"].([]any)[0].(map[string]any)["votes"]; votes != 1.0 {
		t.Errorf("the poll's tally: pizza %v", votes)
	}
	c.call(200, "GET", msgs+"?direction=in", itoken, nil)

	// Webhooks: a delivery, listed and delivered again.
	wh := c.call(201, "POST", inst+"/webhooks", itoken, map[string]any{"url": recv.srv.URL, "events": []string{"message.received"}})
	wid := str(t, wh, "id")
	c.call(200, "GET", inst+"/webhooks", itoken, nil)

	// Incoming messages, from the client who then has an attendance.
	c.call(201, "POST", "/v1/sim/instances/"+id+"/inbound", adminToken, map[string]any{"from": client, "text": "hi", "wa_message_id": "CONTRACT-1"})
	c.call(200, "POST", "/v1/sim/instances/"+id+"/inbound", adminToken, map[string]any{"from": client, "text": "hi", "wa_message_id": "CONTRACT-1"})
	c.call(201, "POST", "/v1/sim/instances/"+id+"/inbound", adminToken, map[string]any{"from": client, "text": "hi @5511977770002",
		"group": "120363025246125244@g.us", "mentions": []string{"5511977770002"}})
	c.call(201, "POST", "/v1/sim/instances/"+id+"/inbound", adminToken, map[string]any{"from": client, "type": "image", "caption": "this one",
		"media": map[string]any{"data": b64(pngFile), "mime": "image/png", "filename": "photo.png"}, "wa_message_id": "CONTRACT-2"})
	eventually(t, 30*time.Second, "both incoming messages at the webhook", func() bool { return recv.count() >= 2 })
	for _, e := range recv.events() {
		c.validate("Event", e)
		c.validate("Message", e["data"])
	}
	c.call(200, "GET", msgs+"?direction=in", itoken, nil)
	dl := c.call(200, "GET", inst+"/webhooks/"+wid+"/deliveries?limit=10", itoken, nil)
	items, _ := dl["items"].([]any)
	if len(items) == 0 {
		t.Fatalf("no deliveries: %v", dl)
	}
	did := str(t, items[0].(map[string]any), "id")
	c.call(202, "POST", inst+"/webhooks/"+wid+"/deliveries/"+did+"/redeliver", itoken, nil)
	c.call(204, "DELETE", inst+"/webhooks/"+wid, itoken, nil)

	// Send hooks: JSON and text/plain.
	hook := c.call(201, "POST", inst+"/send-hooks", itoken, map[string]any{"name": "ci", "to": client})
	c.call(200, "GET", inst+"/send-hooks", itoken, nil)
	hookPath := "/hooks/" + str(t, hook, "token")
	c.call(202, "POST", hookPath, "", map[string]any{"text": "build green"})
	c.do(202, request{method: "POST", path: hookPath + "?to=5511977770002", body: "build red", ctype: "text/plain"})
	c.call(204, "DELETE", inst+"/send-hooks/"+str(t, hook, "id"), itoken, nil)
	c.call(404, "POST", hookPath, "", map[string]any{"text": "gone"})

	// Send hooks that read the tools' own bodies: Alertmanager, Grafana,
	// GitHub (a run as JSON and form-encoded, a ping, a push refused), a
	// body that is not the format's, a format zapgate does not know.
	tools := c.call(201, "POST", inst+"/send-hooks", itoken, map[string]any{"name": "tools", "to": client, "format": "auto"})
	toolsPath := "/hooks/" + str(t, tools, "token")
	c.do(202, request{method: "POST", path: toolsPath, body: hookFixture(t, "alertmanager_firing.json")})
	c.do(202, request{method: "POST", path: toolsPath, body: hookFixture(t, "grafana_firing.json")})
	c.do(202, request{method: "POST", path: toolsPath, body: hookFixture(t, "github_workflow_run_success.json"), headers: []string{"X-GitHub-Event", "workflow_run"}})
	c.do(202, request{method: "POST", path: toolsPath, ctype: "application/x-www-form-urlencoded", headers: []string{"X-GitHub-Event", "workflow_run"},
		body: "payload=" + url.QueryEscape(string(hookFixture(t, "github_workflow_run_failure.json")))})
	c.do(200, request{method: "POST", path: toolsPath, body: hookFixture(t, "github_ping.json"), headers: []string{"X-GitHub-Event", "ping"}})
	c.do(400, request{method: "POST", path: toolsPath, body: `{"ref":"refs/heads/main"}`, headers: []string{"X-GitHub-Event", "push"}, broken: true})
	am := c.call(201, "POST", inst+"/send-hooks", itoken, map[string]any{"name": "prometheus", "to": client, "format": "alertmanager"})
	c.do(400, request{method: "POST", path: "/hooks/" + str(t, am, "token"), body: `{"alerts": "none"}`, broken: true})
	c.do(400, request{method: "POST", path: inst + "/send-hooks", token: itoken, body: map[string]any{"name": "x", "format": "slack"}, broken: true})

	// The event log, and replay.
	evs := c.call(200, "GET", "/v1/events?instance="+id+"&type=message.received&limit=5", adminToken, nil)
	list, _ := evs["items"].([]any)
	if len(list) == 0 {
		t.Fatalf("no events: %v", evs)
	}
	firstEvent := str(t, list[0].(map[string]any), "id")
	c.call(200, "GET", "/v1/events?since="+time.Now().Add(-time.Hour).UTC().Format(time.RFC3339), adminToken, nil)
	// Pending the events branch: since takes an event id.
	c.call(200, "GET", "/v1/events?since="+firstEvent, adminToken, nil)
	rep := c.call(202, "POST", "/v1/events/replay", adminToken, map[string]any{
		"since": time.Now().Add(-time.Hour).UTC().Format(time.RFC3339), "until": time.Now().Add(time.Minute).UTC().Format(time.RFC3339),
		"types": []string{"message.received"}, "instance_id": id, "target": "websocket"})
	// Pending the replay branch: the replay's progress.
	if rid, _ := rep["replay_id"].(string); rid != "" {
		c.call(200, "GET", "/v1/events/replays/"+rid, adminToken, nil)
	}

	// The websocket: an upgrade, a refusal, and a resume from an unknown event.
	ws := c.websocket("token=" + itoken + "&since=" + firstEvent)
	_ = ws.SetReadDeadline(time.Now().Add(30 * time.Second))
	_, frame, err := ws.ReadMessage()
	if err != nil {
		t.Fatalf("no frame from the websocket: %v", err)
	}
	var env map[string]any
	if err := json.Unmarshal(frame, &env); err != nil {
		t.Fatalf("frame is not JSON: %s", frame)
	}
	c.validate("Event", env)
	c.call(400, "GET", "/v1/ws", adminToken, nil)
	bad := c.websocket("token=" + adminToken + "&since=0196a3f0-6c1e-7d2a-9b4f-2f5e8c1d3a70")
	_ = bad.SetReadDeadline(time.Now().Add(30 * time.Second))
	if _, _, err := bad.ReadMessage(); !websocket.IsCloseError(err, 4004) {
		t.Errorf("resume from an unknown event: %v, want close 4004", err)
	}

	// The helpdesk.
	c.call(201, "POST", "/v1/attendants", adminToken, map[string]any{"name": "Ana", "email": "ana@example.com", "password": "s3cret-pass", "role": "attendant"})
	c.call(200, "GET", "/v1/attendants", adminToken, nil)
	c.call(401, "POST", "/v1/auth/login", "", map[string]any{"email": "ana@example.com", "password": "wrong-pass"})
	login := c.call(200, "POST", "/v1/auth/login", "", map[string]any{"email": "ana@example.com", "password": "s3cret-pass"})
	atoken := str(t, login, "token")
	ana := str(t, login["attendant"].(map[string]any), "id")
	var aid string
	eventually(t, 30*time.Second, "an open attendance with both messages", func() bool {
		items, _ := p.must(200, "GET", "/v1/attendances?status=open", atoken, nil)["items"].([]any)
		if len(items) != 1 {
			return false
		}
		aid, _ = items[0].(map[string]any)["id"].(string)
		ms, _ := p.must(200, "GET", "/v1/attendances/"+aid, atoken, nil)["messages"].([]any)
		return len(ms) == 2
	})
	c.call(200, "GET", "/v1/attendances?status=open&instance="+id+"&limit=10", atoken, nil)
	detail := c.call(200, "GET", "/v1/attendances/"+aid, atoken, nil)
	// Pending the attendant branch: attendants may download the media of
	// the attendances they see.
	for _, m := range detail["messages"].([]any) {
		if msg := m.(map[string]any); msg["type"] == "image" {
			c.do(200, request{method: "GET", path: msgs + "/" + str(t, msg, "id") + "/media", token: atoken})
		}
	}
	c.call(202, "POST", "/v1/attendances/"+aid+"/messages", atoken, map[string]any{"type": "text", "text": "how can I help?"})
	c.call(200, "POST", "/v1/attendances/"+aid+"/assign", atoken, map[string]any{"attendant_id": ana})
	// Teams, capacity and transfers.
	c.call(200, "PATCH", "/v1/attendants/"+ana, adminToken, map[string]any{"max_open": 5})
	c.do(400, request{method: "PATCH", path: "/v1/attendants/" + ana, token: adminToken, body: `{"max_open":0}`, broken: true})
	c.call(200, "PATCH", "/v1/attendants/me", atoken, map[string]any{"status": "away"})
	team := c.call(201, "POST", "/v1/teams", adminToken, map[string]any{"name": "Sales", "instance_ids": []string{id},
		"attendant_ids": []string{ana}, "routing": "round_robin"})
	tid := str(t, team, "id")
	c.call(409, "POST", "/v1/teams", adminToken, map[string]any{"name": "Other", "instance_ids": []string{id}})
	c.call(200, "GET", "/v1/teams", atoken, nil)
	c.call(200, "PATCH", "/v1/teams/"+tid, adminToken, map[string]any{"name": "Sales (Brazil)"})
	c.call(200, "POST", "/v1/attendances/"+aid+"/transfer", atoken, map[string]any{"attendant_id": ana, "note": "VIP"})
	c.call(200, "POST", "/v1/attendances/"+aid+"/transfer", adminToken, map[string]any{"team_id": tid})
	c.call(400, "POST", "/v1/attendances/"+aid+"/transfer", adminToken, map[string]any{"note": "to nobody"})
	c.call(204, "DELETE", "/v1/teams/"+tid, adminToken, nil)
	c.call(200, "PATCH", "/v1/attendants/me", atoken, map[string]any{"status": "online"})
	c.call(200, "POST", "/v1/attendances/"+aid+"/close", atoken, nil)
	c.call(409, "POST", "/v1/attendances/"+aid+"/close", atoken, nil)
	var link string
	eventually(t, 30*time.Second, "the feedback link at the client", func() bool {
		for _, it := range p.must(200, "GET", "/v1/sim/instances/"+id+"/sent", adminToken, nil)["items"].([]any) {
			if m := feedbackLink.FindStringSubmatch(it.(map[string]any)["text"].(string)); m != nil {
				link = m[1]
			}
		}
		return link != ""
	})
	c.do(200, request{method: "GET", path: "/feedback/" + link})
	c.call(200, "GET", "/v1/feedback/"+link, "", nil)
	c.call(201, "POST", "/v1/feedback/"+link, "", map[string]any{"rating": 5, "comment": "great"})
	c.call(409, "POST", "/v1/feedback/"+link, "", map[string]any{"rating": 4})
	c.call(200, "GET", "/v1/feedback/summary?instance="+id, adminToken, nil)
	c.call(200, "GET", "/v1/reports/attendances?instance_id="+id, adminToken, nil)
	c.do(200, request{method: "GET", path: "/v1/reports/attendances?instance_id=" + id, token: adminToken, headers: []string{"Accept", "text/csv"}})
	c.do(400, request{method: "GET", path: "/v1/reports/attendances?from=yesterday", token: adminToken, broken: true})

	// The attendant's tools.
	att := "/v1/attendances/" + aid
	c.call(200, "PATCH", inst, itoken, map[string]any{"closing_message": "Obrigado! {{link}}", "feedback_when_unanswered": false})
	c.call(201, "POST", att+"/notes", atoken, map[string]any{"text": "called back, all good"})
	c.do(400, request{method: "POST", path: att + "/notes", token: atoken, body: map[string]any{"text": ""}, broken: true})
	c.call(200, "PUT", att+"/labels", atoken, map[string]any{"labels": []string{"billing", "VIP"}})
	c.call(200, "POST", att+"/reopen", atoken, nil)
	c.call(409, "POST", att+"/reopen", atoken, nil)
	c.call(200, "POST", att+"/close", atoken, nil)
	rated := c.call(200, "GET", att, atoken, nil)
	c.call(200, "GET", "/v1/attendances?q=help&label=vip&assigned="+ana+"&team_id="+tid+"&status=closed", atoken, nil)
	c.call(200, "GET", "/v1/attendances?assigned=none", atoken, nil)
	canned := c.call(201, "POST", "/v1/canned-replies", adminToken, map[string]any{"shortcut": "hello", "text": "Hi {{name}}, {{attendant}} here."})
	c.call(409, "POST", "/v1/canned-replies", adminToken, map[string]any{"shortcut": "hello", "text": "again"})
	c.call(200, "GET", "/v1/canned-replies", atoken, nil)
	c.call(200, "GET", "/v1/canned-replies?attendance_id="+aid, atoken, nil)
	c.call(200, "PATCH", "/v1/canned-replies/"+str(t, canned, "id"), adminToken, map[string]any{"text": "Hello {{name}}!"})
	c.call(204, "DELETE", "/v1/canned-replies/"+str(t, canned, "id"), adminToken, nil)
	c.call(404, "DELETE", "/v1/canned-replies/"+str(t, canned, "id"), adminToken, nil)
	cid := str(t, rated["client"].(map[string]any), "id")
	c.call(200, "GET", "/v1/clients?q=5511&limit=10", atoken, nil)
	c.call(200, "PATCH", "/v1/clients/"+cid, atoken, map[string]any{"name": "Maria", "notes": "prefers mornings", "attributes": map[string]any{"plan": "gold"}})
	c.call(200, "GET", "/v1/clients/"+cid, atoken, nil)
	c.call(404, "GET", "/v1/clients/0196a3f0-6c1e-7d2a-9b4f-2f5e8c1d3a70", atoken, nil)

	// A client known only by LID, then with the phone WhatsApp reveals.
	c.call(201, "POST", "/v1/sim/instances/"+id+"/inbound", adminToken, map[string]any{"from": "201234567890123@lid", "push_name": "Lia", "text": "hi"})
	c.call(201, "POST", "/v1/sim/instances/"+id+"/inbound", adminToken, map[string]any{"from": "201234567890123@lid", "from_phone": "5511966665555", "text": "again"})
	eventually(t, 30*time.Second, "the LID client's attendance with both messages", func() bool {
		items, _ := p.must(200, "GET", "/v1/attendances?status=open", atoken, nil)["items"].([]any)
		return len(items) == 1 && items[0].(map[string]any)["unread"] == float64(2)
	})
	c.call(200, "GET", "/v1/attendances?status=open&instance="+id, atoken, nil)

	// A group as the client, once the instance attends groups.
	c.call(200, "PATCH", inst, itoken, map[string]any{"attend_groups": true})
	c.call(201, "POST", "/v1/sim/instances/"+id+"/inbound", adminToken, map[string]any{"from": client, "group": elsewhere, "push_name": "Ana", "text": "hi all"})
	var gcid string
	eventually(t, 30*time.Second, "the group's attendance", func() bool {
		items, _ := p.must(200, "GET", "/v1/attendances?status=open", atoken, nil)["items"].([]any)
		for _, it := range items {
			if cl, _ := it.(map[string]any)["client"].(map[string]any); cl["group_jid"] == elsewhere {
				gcid, _ = cl["id"].(string)
			}
		}
		return gcid != ""
	})
	c.call(200, "GET", "/v1/attendances?status=open&instance="+id, atoken, nil)
	c.call(200, "GET", "/v1/clients/"+gcid, atoken, nil)

	// Errors, each in the documented shape.
	c.do(400, request{method: "POST", path: msgs, token: itoken, body: `{"to":`, broken: true})
	c.call(400, "POST", msgs, itoken, map[string]any{"to": "12", "type": "text", "text": "short number"})
	// Pending the input branch: NUL is refused in any text field.
	c.call(400, "POST", msgs, itoken, map[string]any{"to": client, "type": "text", "text": "a\u0000b"})
	c.do(401, request{method: "GET", path: "/v1/instances", broken: true})
	c.call(401, "GET", "/v1/instances", "not-a-token", nil)
	c.call(404, "GET", "/v1/instances/0196a3f0-6c1e-7d2a-9b4f-2f5e8c1d3a70", adminToken, nil)
	big := bytes.Repeat([]byte{0}, 16<<20+1)
	c.call(413, "POST", msgs, itoken, map[string]any{"to": client, "type": "document",
		"media": map[string]any{"data": b64(big), "mime": "application/octet-stream", "filename": "big.bin"}})

	// Logging out and deleting.
	c.call(202, "POST", inst+"/logout", itoken, nil)
	c.call(204, "DELETE", inst, adminToken, nil)
	c.call(404, "GET", inst, adminToken, nil)

	c.checkCoverage(400, 401, 404, 409, 413, 422, 431)
}
