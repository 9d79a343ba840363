package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"strings"

	"github.com/jmoiron/sqlx"

	"github.com/zapgate/zapgate/infra/config"
	"github.com/zapgate/zapgate/infra/postgres"
	"github.com/zapgate/zapgate/migrations"
)

const usage = `usage: zapgate <command>

commands:
  serve [--roles all|api,forwarder,bot,notifier,scheduler]   run zapgate
  migrate [--create-database]                                  apply database migrations (creating the database first)
  events replay --since T [--until T] [--type T,..] [--instance ID] [--target webhooks|websocket|all] [--webhook ID] [--no-wait]
                                                               send past events again (no admin token needed)
  version                                                      print the version

Configuration comes from ZAPGATE_* environment variables; see README.md.
` + "`zapgate <command> --help`" + ` describes a command's flags.`

// run dispatches the subcommand; main only turns its error into an exit code.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprintln(stderr, usage)
		return errors.New("no command given")
	}
	switch args[0] {
	case "version":
		fmt.Fprintln(stdout, "zapgate", version)
		return nil
	case "help", "-h", "-help", "--help":
		fmt.Fprintln(stdout, usage)
		return nil
	case "migrate":
		fs := flag.NewFlagSet("migrate", flag.ContinueOnError)
		create := fs.Bool("create-database", false, "create the database ZAPGATE_DATABASE_URL names when it does not exist")
		if err := parseFlags(fs, "migrate [--create-database]", args[1:], stdout, stderr); err != nil {
			return helpIsDone(err)
		}
		cfg, log, err := load(config.Load, getenv, stderr)
		if err != nil {
			return err
		}
		if *create {
			if _, err := postgres.CreateDatabase(ctx, cfg.DatabaseURL, connectAttempts, log); err != nil {
				return err
			}
		}
		db, err := postgres.Open(ctx, cfg.DatabaseURL, connectAttempts, log)
		if err != nil {
			return err
		}
		defer db.Close()
		return postgres.Migrate(ctx, db, migrations.FS, log)
	case "events":
		if len(args) >= 2 && args[1] == "replay" {
			return replayCommand(ctx, args[2:], getenv, stdout, stderr)
		}
		if len(args) == 2 && isHelp(args[1]) {
			fmt.Fprintln(stdout, "usage: zapgate events replay [flags]\n\nsend past events again; `zapgate events replay --help` lists the flags")
			return nil
		}
		return errors.New("usage: zapgate events replay --since RFC3339 [--until RFC3339] [--type T] [--instance ID] [--target T] [--webhook ID] [--no-wait]")
	case "serve":
		fs := flag.NewFlagSet("serve", flag.ContinueOnError)
		roles := fs.String("roles", "", "roles to run: all, or a comma list of api,forwarder,bot,notifier,scheduler")
		if err := parseFlags(fs, "serve [--roles ROLES]", args[1:], stdout, stderr); err != nil {
			return helpIsDone(err)
		}
		cfg, log, err := load(config.Load, getenv, stderr)
		if err != nil {
			return err
		}
		if *roles != "" {
			r, err := config.ParseRoles(*roles)
			if err != nil {
				return fmt.Errorf("--roles: %w", err)
			}
			cfg.Roles = r
		}
		return serve(ctx, cfg, log)
	}
	fmt.Fprintln(stderr, usage)
	return fmt.Errorf("unknown command %q", args[0])
}

// parseFlags parses a subcommand's flags. -h and --help print its usage on
// stdout and return flag.ErrHelp (see helpIsDone); a bad flag prints the
// usage on stderr and returns the error.
func parseFlags(fs *flag.FlagSet, synopsis string, args []string, stdout, stderr io.Writer) error {
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "usage: zapgate %s\n\nflags:\n", synopsis)
		fs.PrintDefaults()
		fmt.Fprintln(fs.Output(), "\nConfiguration comes from ZAPGATE_* environment variables; see README.md.")
	}
	// The flag package prints to one writer; quiet it and print ourselves,
	// so help goes to stdout and mistakes to stderr.
	fs.SetOutput(io.Discard)
	err := fs.Parse(args)
	switch {
	case errors.Is(err, flag.ErrHelp):
		fs.SetOutput(stdout)
		fs.Usage()
	case err != nil:
		fs.SetOutput(stderr) // main prints err itself
		fs.Usage()
	}
	return err
}

// helpIsDone turns a help request into success: the usage was printed.
func helpIsDone(err error) error {
	if errors.Is(err, flag.ErrHelp) {
		return nil
	}
	return err
}

func isHelp(arg string) bool {
	switch arg {
	case "-h", "-help", "--help", "help":
		return true
	}
	return false
}

// connectAttempts bounds the start-up retry: about 20 s of backoff.
const connectAttempts = 8

// configLoader is config.Load, or config.LoadOperator for the commands
// that serve no API.
type configLoader func(getenv func(string) string) (config.Config, error)

func load(loadConfig configLoader, getenv func(string) string, stderr io.Writer) (config.Config, *slog.Logger, error) {
	cfg, err := loadConfig(getenv)
	if err != nil {
		return cfg, nil, fmt.Errorf("invalid configuration:\n  %s", strings.ReplaceAll(err.Error(), "\n", "\n  "))
	}
	var level slog.Level
	_ = level.UnmarshalText([]byte(cfg.LogLevel))
	log := slog.New(slog.NewJSONHandler(stderr, &slog.HandlerOptions{Level: level}))
	return cfg, log, nil
}

// loadAndConnect is load plus a Postgres connection, for the commands that
// work on the database alone.
func loadAndConnect(ctx context.Context, loadConfig configLoader, getenv func(string) string, stderr io.Writer) (config.Config, *slog.Logger, *sqlx.DB, error) {
	cfg, log, err := load(loadConfig, getenv, stderr)
	if err != nil {
		return cfg, nil, nil, err
	}
	db, err := postgres.Open(ctx, cfg.DatabaseURL, connectAttempts, log)
	return cfg, log, db, err
}
