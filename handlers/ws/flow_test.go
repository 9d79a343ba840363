package ws

import "testing"

func TestFlow(t *testing.T) {
	type step struct {
		op      string // write, ping, pong
		n       int
		payload string
		want    bool   // write: pingDue
		may     int    // after the step: mayWrite(may) ...
		mayWant bool   // ... should be this
		ping    string // ping: the payload sent
	}
	tests := []struct {
		name  string
		steps []step
	}{
		{"a reading client keeps the feed open", []step{
			{op: "write", n: 40, want: false, may: 60, mayWant: true},
			{op: "write", n: 60, want: true, may: 1, mayWant: false},
			{op: "ping", ping: "100", may: 1, mayWant: false},
			{op: "pong", payload: "100", may: 100, mayWant: true},
		}},
		{"a client that stops reading is held at the budget", []step{
			{op: "write", n: 50, want: true, may: 50, mayWant: true},
			{op: "ping", ping: "50"},
			{op: "write", n: 50, want: true, may: 1, mayWant: false},
			{op: "pong", payload: "50", may: 50, mayWant: true},
		}},
		{"a frame larger than the budget goes alone", []step{
			{op: "write", n: 500, want: true, may: 1, mayWant: false},
			{op: "ping", ping: "500"},
			{op: "pong", payload: "500", may: 500, mayWant: true},
		}},
		{"foreign, stale and future pongs are ignored", []step{
			{op: "write", n: 80, want: true},
			{op: "ping", ping: "80"},
			{op: "pong", payload: "hello", may: 30, mayWant: false},
			{op: "pong", payload: "90", may: 30, mayWant: false},
			{op: "pong", payload: "80", may: 100, mayWant: true},
			{op: "pong", payload: "40", may: 100, mayWant: true},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := &flow{budget: 100, pingEvery: 50}
			for i, s := range tt.steps {
				switch s.op {
				case "write":
					if got := f.wrote(s.n); got != s.want {
						t.Fatalf("step %d: ping due = %v, want %v", i, got, s.want)
					}
				case "ping":
					if !f.unpinged() {
						t.Fatalf("step %d: nothing unpinged", i)
					}
					if got := f.ping(); got != s.ping {
						t.Fatalf("step %d: ping %q, want %q", i, got, s.ping)
					}
				case "pong":
					f.pong(pongPayload(s.payload))
				}
				if s.may > 0 && f.mayWrite(s.may) != s.mayWant {
					t.Fatalf("step %d: mayWrite(%d) = %v with %d unread", i, s.may, !s.mayWant, f.unread())
				}
			}
		})
	}
}
