package main

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"time"
)

// customer is someone who writes to one instance, one line at a time.
type customer struct {
	instance int    // index in demoInstances
	phone    string // the phone without its last two digits, which count the cycle
	lid      string // a LID-only customer: the LID without its last two digits
	name     string
	lines    []line
}

// line is one message: a text, or an image, voice note or location.
type line struct {
	kind     string // "" text, "image", "audio", "location"
	text     string // text or caption
	lat, lon float64
}

var customers = []customer{
	{instance: 0, phone: "55119876500", name: "Mariana Alves", lines: []line{
		{text: "Oi! Vocês entregam em Campinas?"},
		{kind: "image", text: "Esse modelo tem em azul?"},
		{text: "E qual o prazo de entrega? Preciso até sexta 🙏"},
	}},
	{instance: 2, phone: "141555512", name: "John Carter", lines: []line{
		{text: "Hi, my order #4412 hasn't arrived yet."},
		{kind: "location", text: "This is my address", lat: 37.7793, lon: -122.4193},
		{text: "Any update? Thanks!"},
	}},
	{instance: 1, phone: "55219987600", name: "Pedro Santos", lines: []line{
		{kind: "audio"},
		{text: "Mandei um áudio explicando o problema, o app fecha sozinho."},
		{kind: "image", text: "Print do erro"},
	}},
	{instance: 1, lid: "881234567890", name: "Lucía", lines: []line{
		{text: "Olá, não consigo acessar minha conta."},
		{text: "Já tentei redefinir a senha duas vezes."},
	}},
	{instance: 2, phone: "4477009001", name: "Emily Brown", lines: []line{
		{text: "Hello! Do you ship to the UK?"},
		{kind: "image", text: "This one, in size M please"},
		{kind: "audio"},
	}},
	{instance: 0, phone: "55319912300", name: "Rafael Costa", lines: []line{
		{text: "Bom dia, quero um orçamento para 20 unidades."},
		{kind: "location", text: "Nossa loja", lat: -19.9245, lon: -43.9352},
		{text: "Pode ser boleto?"},
	}},
}

// script is the order in which the lines are written: the customers take
// turns, so several conversations are open at once, as in a real inbox.
type script struct{ items []scripted }

type scripted struct {
	who  customer
	line line
}

func newScript() script {
	var s script
	for i := 0; ; i++ {
		more := false
		for _, c := range customers {
			if i < len(c.lines) {
				s.items = append(s.items, scripted{who: c, line: c.lines[i]})
				more = true
			}
		}
		if !more {
			return s
		}
	}
}

// at is the n-th message (from 0); after the script's end it starts over
// with new customers (the cycle in the last digits of their numbers).
func (s script) at(n int) (scripted, int) {
	return s.items[n%len(s.items)], n / len(s.items)
}

// inbound is the sim request for one scripted line in the given cycle.
func (it scripted) inbound(cycle int) map[string]any {
	body := map[string]any{"push_name": it.who.name}
	if it.who.lid != "" {
		body["from"] = fmt.Sprintf("%s%02d@lid", it.who.lid, cycle%100)
	} else {
		body["from"] = fmt.Sprintf("%s%02d", it.who.phone, cycle%100)
	}
	switch it.line.kind {
	case "":
		body["text"] = it.line.text
	case "image":
		body["type"], body["caption"] = "image", it.line.text
		body["media"] = map[string]any{"data": base64.StdEncoding.EncodeToString(demoPNG(cycle)), "mime": "image/png", "filename": "foto.png"}
	case "audio":
		body["type"] = "audio"
		body["media"] = map[string]any{"data": base64.StdEncoding.EncodeToString(demoOpus()), "mime": "audio/ogg; codecs=opus"}
	case "location":
		body["type"] = "location"
		body["location"] = map[string]any{"latitude": it.line.lat, "longitude": it.line.lon, "name": it.line.text}
	}
	return body
}

// stream writes the script, one line every cfg.every, and acknowledges
// the attendants' replies until ctx ends or cfg.rounds lines are written.
func stream(ctx context.Context, c *client, d demo, cfg config, w io.Writer) error {
	s := newScript()
	r := newReceipts(d.instances)
	tick := time.NewTicker(max(cfg.every, time.Millisecond))
	defer tick.Stop()
	for n := 0; cfg.rounds == 0 || n < cfg.rounds; n++ {
		it, cycle := s.at(n)
		in := d.instances[it.who.instance]
		body := it.inbound(cycle)
		if err := c.do(ctx, "POST", "/v1/sim/instances/"+in.id+"/inbound", body, nil); err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return err
		}
		what := it.line.kind
		if what == "" {
			what = fmt.Sprintf("%q", it.line.text)
		}
		fmt.Fprintf(w, "%s → %s: %s\n", body["from"], in.name, what)
		if err := r.ack(ctx, c); err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return err
		}
		if cfg.rounds != 0 && n+1 == cfg.rounds {
			break
		}
		select {
		case <-ctx.Done():
			fmt.Fprintln(w, "zapdemo: stopped")
			return nil
		case <-tick.C:
		}
	}
	return nil
}

// receipts plays the customers' phones for what zapgate sends them: a
// message seen in one round is delivered, and read in the next.
type receipts struct {
	instances []instance
	cursor    map[string]string   // instance id → the last full page's cursor
	seen      map[string]bool     // instance id + wa id → acknowledged already
	delivered map[string][]string // instance id → wa ids delivered, to read next
}

func newReceipts(ins []instance) *receipts {
	return &receipts{instances: ins, cursor: map[string]string{}, seen: map[string]bool{}, delivered: map[string][]string{}}
}

func (r *receipts) ack(ctx context.Context, c *client) error {
	for _, in := range r.instances {
		for _, id := range r.delivered[in.id] {
			if err := r.receipt(ctx, c, in.id, id, "read"); err != nil {
				return err
			}
		}
		r.delivered[in.id] = nil
		if err := r.deliver(ctx, c, in.id); err != nil {
			return err
		}
	}
	return nil
}

// deliver acknowledges every send not seen before. The sent list gives a
// cursor only after a full page, so the last page is read again each round
// and seen keeps it from being acknowledged twice.
func (r *receipts) deliver(ctx context.Context, c *client, instanceID string) error {
	for {
		var page struct {
			Items []struct {
				Kind        string `json:"kind"`
				WAMessageID string `json:"wa_message_id"`
			} `json:"items"`
			Next string `json:"next"`
		}
		path := "/v1/sim/instances/" + instanceID + "/sent"
		if cur := r.cursor[instanceID]; cur != "" {
			path += "?cursor=" + cur
		}
		if err := c.do(ctx, "GET", path, nil, &page); err != nil {
			return err
		}
		for _, it := range page.Items {
			key := instanceID + " " + it.WAMessageID
			if it.Kind != "message" || it.WAMessageID == "" || r.seen[key] {
				continue // reactions, read receipts, typing: nothing to acknowledge
			}
			r.seen[key] = true
			if err := r.receipt(ctx, c, instanceID, it.WAMessageID, "delivered"); err != nil {
				return err
			}
			r.delivered[instanceID] = append(r.delivered[instanceID], it.WAMessageID)
		}
		if page.Next == "" {
			return nil
		}
		r.cursor[instanceID] = page.Next
	}
}

// receipt posts one receipt; one refused (a message the sim no longer
// knows) is skipped, so the demo goes on.
func (r *receipts) receipt(ctx context.Context, c *client, instanceID, waID, status string) error {
	err := c.do(ctx, "POST", "/v1/sim/instances/"+instanceID+"/receipts", map[string]any{"wa_message_id": waID, "status": status}, nil)
	var se *statusError
	if errors.As(err, &se) && se.code/100 == 4 {
		return nil
	}
	return err
}
