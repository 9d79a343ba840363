// Command zapdemo fills a zapgate running the simulated WhatsApp driver with
// a living helpdesk: linked instances, attendants who can log in, a
// round-robin team, canned replies, and customers writing in at a human pace
// (texts in Portuguese and English, images, voice notes, locations, a
// customer known only by LID), with delivery and read receipts for whatever
// the attendants answer. It is a client like any other: it speaks only the
// public HTTP API, so it doubles as an example of it.
//
//	go run ./cmd/zapdemo [-url http://127.0.0.1:8080] [-token T] [-rounds N]
//	task demo
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return
		}
		fmt.Fprintln(os.Stderr, "zapdemo:", err)
		os.Exit(1)
	}
}

// config is what the flags set.
type config struct {
	url      string
	token    string
	password string
	rounds   int
	every    time.Duration
	wait     time.Duration
}

func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("zapdemo", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var cfg config
	fs.StringVar(&cfg.url, "url", "http://127.0.0.1:8080", "zapgate's base URL")
	fs.StringVar(&cfg.token, "token", getenv("ZAPGATE_ADMIN_TOKEN"), "the admin token (default $ZAPGATE_ADMIN_TOKEN)")
	fs.StringVar(&cfg.password, "password", "demo-pass-123", "the password of the demo attendants")
	fs.IntVar(&cfg.rounds, "rounds", 0, "how many customer messages to send, then stop (0: until Ctrl-C)")
	fs.DurationVar(&cfg.every, "every", 4*time.Second, "pause between two customer messages")
	fs.DurationVar(&cfg.wait, "wait", 2*time.Minute, "how long to wait for zapgate to become ready")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if cfg.token == "" {
		return errors.New("no admin token: pass -token or set ZAPGATE_ADMIN_TOKEN")
	}
	if cfg.rounds < 0 || cfg.every < 0 {
		return errors.New("-rounds and -every must not be negative")
	}
	c := newClient(cfg.url, cfg.token)

	fmt.Fprintf(stdout, "zapdemo: waiting for %s/readyz\n", cfg.url)
	if err := c.waitReady(ctx, cfg.wait); err != nil {
		return err
	}
	d, err := seed(ctx, c, cfg.password)
	if err != nil {
		return fmt.Errorf("seed: %w", err)
	}
	d.print(stdout, cfg)
	return stream(ctx, c, d, cfg, stdout)
}
