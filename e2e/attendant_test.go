package e2e

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"image"
	"image/png"
	"testing"
	"time"

	"github.com/fasthttp/websocket"
)

// smallPNG is a 4×4 grey picture.
func smallPNG(t *testing.T) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 4, 4))
	for i := range img.Pix {
		img.Pix[i] = 0x80
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// inboundImage is the client sending a picture to the instance.
func (p *proc) inboundImage(instance, from, filename string, data []byte) {
	p.t.Helper()
	r := p.do("POST", "/v1/sim/instances/"+instance+"/inbound", adminToken, map[string]any{
		"from": from, "type": "image", "caption": "my order",
		"media": map[string]any{"data": base64.StdEncoding.EncodeToString(data), "mime": "image/png", "filename": filename}})
	if r.Status != 201 && r.Status != 200 {
		p.t.Fatalf("inbound image = %d %s", r.Status, r.Body)
	}
}

// sentMessage waits until an outgoing message is sent and returns it.
func (p *proc) sentMessage(instance, id string) map[string]any {
	p.t.Helper()
	var m map[string]any
	eventually(p.t, 20*time.Second, "message "+id+" sent", func() bool {
		m = p.must(200, "GET", "/v1/instances/"+instance+"/messages/"+id, adminToken, nil)
		return m["status"] == "sent" && m["wa_message_id"] != ""
	})
	return m
}

// nextEvent reads the next event of the feed; the read deadline set by the
// caller bounds the wait.
func nextEvent(t *testing.T, conn *websocket.Conn) map[string]any {
	t.Helper()
	_, data, err := conn.ReadMessage()
	if err != nil {
		t.Fatalf("reading the feed: %v", err)
	}
	var e map[string]any
	if err := json.Unmarshal(data, &e); err != nil {
		t.Fatalf("not JSON: %s", data)
	}
	return e
}

// Issue 12 item 9: an attendant saw "IMAGE pedido.png (479 B)" and a reply
// stuck at "Sent", because the media route and the feed ignored attendants.
func TestAttendantSeesMediaAndStatusesOfTheirAttendances(t *testing.T) {
	t.Parallel()
	p := newEnv(t).start()
	instance, instanceToken := p.linkedInstance("support", "5511900000070")
	other := p.must(201, "POST", "/v1/instances", adminToken, map[string]any{"name": "other"})["token"].(string)
	p.must(201, "POST", "/v1/attendants", adminToken, map[string]any{
		"name": "Caio", "email": "caio@example.com", "password": "attendant-pass-1", "role": "attendant"})
	token := p.must(200, "POST", "/v1/auth/login", "", map[string]any{
		"email": "caio@example.com", "password": "attendant-pass-1"})["token"].(string)
	feed := dialFeed(t, p, "token="+token, "")
	_ = feed.SetReadDeadline(time.Now().Add(60 * time.Second))

	// The client sends a picture: it opens an attendance, and the feed is
	// live once its attendance.opened arrives.
	picture := smallPNG(t)
	p.inboundImage(instance, "5511988887777", "pedido.png", picture)
	var aid string
	for aid == "" {
		if e := nextEvent(t, feed); e["type"] == "attendance.opened" {
			aid = e["data"].(map[string]any)["attendance_id"].(string)
		}
	}
	att := p.must(200, "GET", "/v1/attendances/"+aid, token, nil)
	msgs := att["messages"].([]any)
	if len(msgs) != 1 {
		t.Fatalf("attendance messages = %v", msgs)
	}
	url, _ := msgs[0].(map[string]any)["media"].(map[string]any)["url"].(string)
	if url == "" {
		t.Fatalf("the client's picture has no media url: %v", msgs[0])
	}

	// The attendant downloads it; the instance's own token still does; the
	// token of another instance is told it does not exist.
	for who, tok := range map[string]string{"attendant": token, "instance": instanceToken, "admin": adminToken} {
		r := p.do("GET", url, tok, nil)
		if r.Status != 200 || r.Header.Get("Content-Type") != "image/png" || !bytes.Equal(r.Body, picture) {
			t.Fatalf("%s GET %s = %d %q, %d bytes", who, url, r.Status, r.Header.Get("Content-Type"), len(r.Body))
		}
	}
	if r := p.do("GET", url, other, nil); r.Status != 404 {
		t.Fatalf("another instance's token GET %s = %d, want 404", url, r.Status)
	}
	if r := p.do("GET", url, "", nil); r.Status != 401 {
		t.Fatalf("no token GET %s = %d, want 401", url, r.Status)
	}

	// A picture the integration sends on its own belongs to no attendance:
	// the attendant sees neither its file nor its status.
	api := p.must(202, "POST", "/v1/instances/"+instance+"/messages", instanceToken, map[string]any{
		"to": "5511977776666", "type": "image",
		"media": map[string]any{"data": base64.StdEncoding.EncodeToString(picture), "mime": "image/png", "filename": "menu.png"}})
	apiID := api["id"].(string)
	p.sentMessage(instance, apiID)
	if r := p.do("GET", "/v1/instances/"+instance+"/messages/"+apiID+"/media", token, nil); r.Status != 404 {
		t.Fatalf("attendant GET media of a message outside attendances = %d, want 404", r.Status)
	}

	// The attendant replies; the client's phone receives it, then reads it.
	reply := p.must(202, "POST", "/v1/attendances/"+aid+"/messages", token, map[string]any{"type": "text", "text": "Got it, thanks!"})
	replyID := reply["id"].(string)
	wa := p.sentMessage(instance, replyID)["wa_message_id"].(string)
	for _, st := range []string{"delivered", "read"} {
		p.must(200, "POST", "/v1/sim/instances/"+instance+"/receipts", adminToken, map[string]any{"wa_message_id": wa, "status": st})
	}
	// The feed carries the reply's statuses in order. The integration's
	// picture was sent before the reply existed, and the feed keeps commit
	// order, so had its status reached the attendant it would come first.
	var statuses []string
	for len(statuses) == 0 || statuses[len(statuses)-1] != "read" {
		e := nextEvent(t, feed)
		if e["type"] != "message.status" {
			continue
		}
		d := e["data"].(map[string]any)
		if d["message_id"] != replyID || d["attendance_id"] != aid {
			t.Fatalf("the attendant's feed carries the status of another message: %v", e)
		}
		statuses = append(statuses, d["status"].(string))
	}
	if len(statuses) < 2 || statuses[len(statuses)-2] != "delivered" {
		t.Fatalf("reply statuses on the feed = %v, want ... delivered read", statuses)
	}
}
