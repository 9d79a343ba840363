package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/jmoiron/sqlx"
	_ "github.com/lib/pq" // the postgres driver
)

// env is everything zapbench created: a temporary directory with the
// binary and the media, a database, a vhost and the zapgate process.
type env struct {
	cfg *config

	dir     string
	binary  string
	name    string // database and vhost name
	token   string // admin token
	dbURL   string
	amqpURL string
	admin   *sqlx.DB // on the server's maintenance database
	db      *sqlx.DB // on the bench database
	dbMade  bool
	vhost   bool

	cmd       *exec.Cmd
	exited    chan struct{}
	exitErr   error
	base      string
	pprofAddr string
	logs      *ringLog
	api       *apiClient

	phones int // the last phone number handed out
	mu     sync.Mutex
}

// setup builds zapgate and creates the database and the vhost. On error
// the returned env (when not nil) still needs cleanup.
func setup(ctx context.Context, cfg *config) (*env, error) {
	e := &env{cfg: cfg, logs: &ringLog{max: 200}}
	dir, err := os.MkdirTemp("", "zapbench-")
	if err != nil {
		return nil, err
	}
	e.dir = dir
	var b [6]byte
	_, _ = rand.Read(b[:])
	e.name = "zapgate_bench_" + hex.EncodeToString(b[:])
	var t [16]byte
	_, _ = rand.Read(t[:])
	e.token = "bench-" + hex.EncodeToString(t[:])

	if cfg.Binary != "" {
		e.binary = cfg.Binary
	} else {
		e.binary = filepath.Join(dir, "zapgate")
		logf("building zapgate")
		build := exec.CommandContext(ctx, "go", "build", "-o", e.binary, "./cmd/zapgate")
		build.Stdout, build.Stderr = os.Stderr, os.Stderr
		if err := build.Run(); err != nil {
			return e, fmt.Errorf("go build ./cmd/zapgate (run zapbench from the repository root): %w", err)
		}
	}

	logf("creating database %s", e.name)
	e.admin, err = sqlx.Open("postgres", cfg.PG)
	if err != nil {
		return e, err
	}
	pctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	if err := e.admin.PingContext(pctx); err != nil {
		return e, fmt.Errorf("postgres at %s is not reachable (run `task services`): %w", cfg.PG, err)
	}
	if _, err := e.admin.ExecContext(pctx, `CREATE DATABASE `+e.name); err != nil {
		return e, fmt.Errorf("create database: %w", err)
	}
	e.dbMade = true
	u, err := url.Parse(cfg.PG)
	if err != nil {
		return e, fmt.Errorf("-pg: %w", err)
	}
	u.Path = "/" + e.name
	e.dbURL = u.String()
	e.db, err = sqlx.Open("postgres", e.dbURL)
	if err != nil {
		return e, err
	}
	e.db.SetMaxOpenConns(4)

	logf("creating RabbitMQ vhost %s", e.name)
	au, err := url.Parse(cfg.AMQP)
	if err != nil {
		return e, fmt.Errorf("-amqp: %w", err)
	}
	user := au.User.Username()
	if user == "" {
		user = "guest"
	}
	if err := rabbitmqctl(ctx, "add_vhost", e.name); err != nil {
		return e, err
	}
	e.vhost = true
	if err := rabbitmqctl(ctx, "set_permissions", "-p", e.name, user, ".*", ".*", ".*"); err != nil {
		return e, err
	}
	au.Path = "/" + e.name
	e.amqpURL = au.String()
	return e, nil
}

func rabbitmqctl(ctx context.Context, args ...string) error {
	ctx, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, "rabbitmqctl", append([]string{"-q"}, args...)...).CombinedOutput()
	if err != nil {
		return fmt.Errorf("rabbitmqctl %s: %w: %s", strings.Join(args, " "), err, bytes.TrimSpace(out))
	}
	return nil
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// startZapgate runs `zapgate serve` and waits for /readyz.
func (e *env) startZapgate(ctx context.Context) error {
	port, err := freePort()
	if err != nil {
		return err
	}
	e.base = fmt.Sprintf("http://127.0.0.1:%d", port)
	vars := []string{
		"ZAPGATE_HTTP_ADDR=127.0.0.1:" + strconv.Itoa(port),
		"ZAPGATE_DATABASE_URL=" + e.dbURL,
		"ZAPGATE_AMQP_URL=" + e.amqpURL,
		"ZAPGATE_ADMIN_TOKEN=" + e.token,
		"ZAPGATE_WHATSAPP_DRIVER=sim",
		"ZAPGATE_SEND_RATE=0",
		"ZAPGATE_NEW_CONTACTS_PER_DAY=0",
		"ZAPGATE_WARMUP_DAYS=0",
		"ZAPGATE_STORAGE=file://" + filepath.Join(e.dir, "media"),
		"ZAPGATE_PUBLIC_URL=" + e.base,
		"ZAPGATE_LOG_LEVEL=warn",
	}
	if e.cfg.Profile != "" {
		pp, err := freePort()
		if err != nil {
			return err
		}
		e.pprofAddr = "127.0.0.1:" + strconv.Itoa(pp)
		vars = append(vars, "ZAPGATE_PPROF_ADDR="+e.pprofAddr)
	}
	// Our variables come last, so they win over any ZAPGATE_* already set.
	cmd := exec.Command(e.binary, "serve")
	cmd.Env = append(os.Environ(), vars...)
	var out io.Writer = e.logs
	if e.cfg.Logs {
		out = io.MultiWriter(e.logs, os.Stderr)
	}
	cmd.Stdout, cmd.Stderr = out, out
	cmd.Dir = e.dir
	cmd.SysProcAttr = childAttrs()
	logf("starting zapgate on %s", e.base)
	if err := cmd.Start(); err != nil {
		return err
	}
	e.cmd = cmd
	e.exited = make(chan struct{})
	go func() {
		e.exitErr = cmd.Wait()
		close(e.exited)
	}()
	e.api = newAPIClient(e.base, e.token, 64)

	err = waitFor(ctx, 60*time.Second, 100*time.Millisecond, "zapgate /readyz", func(ctx context.Context) (bool, error) {
		if err := e.alive(); err != nil {
			return false, err
		}
		st, err := e.api.get(ctx, "/readyz", nil)
		return st == http.StatusOK, err
	})
	if err != nil {
		select {
		case <-e.exited:
			return fmt.Errorf("zapgate exited before it was ready: %v", e.exitErr)
		default:
			return err
		}
	}
	logf("zapgate is ready (pid %d)", cmd.Process.Pid)
	return nil
}

// alive reports an error when zapgate has exited.
func (e *env) alive() error {
	if e.exited == nil {
		return errors.New("zapgate is not running")
	}
	select {
	case <-e.exited:
		return fatalError{fmt.Errorf("zapgate exited: %v", e.exitErr)}
	default:
		return nil
	}
}

func (e *env) pid() int {
	if e.cmd == nil || e.cmd.Process == nil {
		return 0
	}
	return e.cmd.Process.Pid
}

// cleanup stops zapgate and removes the database, the vhost and the
// temporary directory. It uses its own deadline: it runs after an interrupt.
func (e *env) cleanup() {
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	if e.cmd != nil && e.cmd.Process != nil {
		select {
		case <-e.exited:
		default:
			logf("stopping zapgate")
			_ = e.cmd.Process.Signal(syscall.SIGTERM)
			select {
			case <-e.exited:
			case <-time.After(30 * time.Second):
				logf("zapgate did not stop within 30 s: killing it")
				_ = e.cmd.Process.Kill()
				<-e.exited
			}
		}
	}
	if e.api != nil {
		e.api.close()
	}
	if e.db != nil {
		_ = e.db.Close()
	}
	if e.dbMade {
		logf("dropping database %s", e.name)
		if _, err := e.admin.ExecContext(ctx, `DROP DATABASE IF EXISTS `+e.name+` WITH (FORCE)`); err != nil {
			logf("drop database %s: %v (drop it by hand)", e.name, err)
		}
	}
	if e.admin != nil {
		_ = e.admin.Close()
	}
	if e.vhost {
		logf("deleting vhost %s", e.name)
		if err := rabbitmqctl(ctx, "delete_vhost", e.name); err != nil {
			logf("%v (delete it by hand)", err)
		}
	}
	if e.dir != "" {
		_ = os.RemoveAll(e.dir)
	}
}

func (e *env) pgVersion(ctx context.Context) string {
	var v string
	_ = e.admin.GetContext(ctx, &v, `SHOW server_version`)
	return v
}

func (e *env) logTail(n int) string { return e.logs.tail(n) }

// nextPhone hands out distinct sim phone numbers: "55119" + 8 digits.
func (e *env) nextPhone() string {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.phones++
	return fmt.Sprintf("55119%08d", e.phones)
}

// procStatus reads a field of /proc/<pid>/status in KiB (VmRSS, VmHWM).
func procStatus(pid int, field string) (int64, error) {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		name, rest, ok := strings.Cut(sc.Text(), ":")
		if !ok || name != field {
			continue
		}
		fields := strings.Fields(rest) // "123456 kB"
		if len(fields) == 0 {
			break
		}
		return strconv.ParseInt(fields[0], 10, 64)
	}
	return 0, fmt.Errorf("no %s in /proc/%d/status", field, pid)
}

// ringLog keeps the last lines zapgate wrote.
type ringLog struct {
	mu      sync.Mutex
	max     int
	lines   []string
	partial []byte
}

func (r *ringLog) Write(p []byte) (int, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.partial = append(r.partial, p...)
	for {
		i := bytes.IndexByte(r.partial, '\n')
		if i < 0 {
			break
		}
		r.lines = append(r.lines, string(r.partial[:i]))
		r.partial = r.partial[i+1:]
		if len(r.lines) > r.max {
			r.lines = r.lines[len(r.lines)-r.max:]
		}
	}
	return len(p), nil
}

func (r *ringLog) tail(n int) string {
	r.mu.Lock()
	defer r.mu.Unlock()
	lines := r.lines
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
