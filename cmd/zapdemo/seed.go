package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"time"
)

// demo is what seed made: what the stream writes to and what is printed.
type demo struct {
	instances  []instance
	attendants []person
}

type instance struct{ id, name, phone string }

type person struct{ name, email, role string }

var (
	demoInstances = []instance{
		{name: "Vendas", phone: "5511940000001"},
		{name: "Suporte", phone: "5511940000002"},
		{name: "Support (EN)", phone: "14155550100"},
	}
	demoAttendants = []person{
		{name: "Ana Souza", email: "ana@demo.local", role: "attendant"},
		{name: "Bruno Lima", email: "bruno@demo.local", role: "attendant"},
		{name: "Carla Dias", email: "carla@demo.local", role: "admin"},
	}
	demoCanned = []struct{ shortcut, text string }{
		{"ola", "Olá {{name}}! Aqui é {{attendant}}, como posso ajudar?"},
		{"hello", "Hi {{name}}, this is {{attendant}}. How can I help?"},
		{"obrigado", "Obrigado pelo contato, {{name}}! Qualquer coisa, é só chamar."},
	}
)

// seed creates and links the instances, the attendants, their team and the
// canned replies.
func seed(ctx context.Context, c *client, password string) (demo, error) {
	var d demo
	for _, in := range demoInstances {
		var created struct {
			ID string `json:"id"`
		}
		if err := c.do(ctx, "POST", "/v1/instances", map[string]any{"name": in.name}, &created); err != nil {
			return d, err
		}
		in.id = created.ID
		if err := link(ctx, c, in); err != nil {
			return d, err
		}
		d.instances = append(d.instances, in)
	}

	var members []string
	for _, a := range demoAttendants {
		var created struct {
			ID string `json:"id"`
		}
		err := c.do(ctx, "POST", "/v1/attendants", map[string]any{"name": a.name, "email": a.email, "password": password, "role": a.role}, &created)
		switch {
		case hasStatus(err, http.StatusConflict):
			// Left from an earlier run on the same database: its password
			// may differ, so say so rather than print a wrong one.
			a.name += " (existed already; password unchanged)"
		case err != nil:
			return d, err
		case a.role == "attendant":
			members = append(members, created.ID)
		}
		d.attendants = append(d.attendants, a)
	}

	ids := make([]string, len(d.instances))
	for i, in := range d.instances {
		ids[i] = in.id
	}
	err := c.do(ctx, "POST", "/v1/teams", map[string]any{"name": "Atendimento", "instance_ids": ids, "attendant_ids": members, "routing": "round_robin"}, nil)
	if err != nil && !hasStatus(err, http.StatusConflict) { // a team left from an earlier run
		return d, err
	}

	for _, cr := range demoCanned {
		err := c.do(ctx, "POST", "/v1/canned-replies", map[string]any{"shortcut": cr.shortcut, "text": cr.text}, nil)
		if hasStatus(err, http.StatusNotFound) {
			break // a zapgate without canned replies: the demo does without
		}
		if err != nil && !hasStatus(err, http.StatusConflict) {
			return d, err
		}
	}
	return d, nil
}

// link "scans" the instance's QR once it shows one, and waits until it is
// connected, as a phone would.
func link(ctx context.Context, c *client, in instance) error {
	status := func(want string) func() (bool, error) {
		return func() (bool, error) {
			var got struct {
				Status string `json:"status"`
			}
			err := c.do(ctx, "GET", "/v1/instances/"+in.id, nil, &got)
			return got.Status == want, err
		}
	}
	if err := until(ctx, time.Minute, "instance "+in.name+" showing its QR", status("qr")); err != nil {
		return err
	}
	if err := c.do(ctx, "POST", "/v1/sim/instances/"+in.id+"/scan", map[string]any{"phone": in.phone}, nil); err != nil {
		return err
	}
	return until(ctx, time.Minute, "instance "+in.name+" connected", status("connected"))
}

func (d demo) print(w io.Writer, cfg config) {
	fmt.Fprintf(w, "\nzapgate demo is running.\n\n  Dashboard:   %s/\n  API docs:    %s/docs\n  Admin token: %s\n\n  Log in as:\n", cfg.url, cfg.url, cfg.token)
	for _, a := range d.attendants {
		fmt.Fprintf(w, "    %-18s %-10s password %s   (%s)\n", a.email, a.role, cfg.password, a.name)
	}
	fmt.Fprintln(w, "\n  Instances:")
	for _, in := range d.instances {
		fmt.Fprintf(w, "    %-14s +%s  %s\n", in.name, in.phone, in.id)
	}
	if cfg.rounds > 0 {
		fmt.Fprintf(w, "\nCustomers will write %d messages, one every %s.\n\n", cfg.rounds, cfg.every)
	} else {
		fmt.Fprintf(w, "\nCustomers write in every %s; Ctrl-C stops.\n\n", cfg.every)
	}
}
