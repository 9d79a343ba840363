package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

// TestRunHelp: -h and --help print a command's usage on stdout and succeed,
// before any configuration is read (getenv here answers nothing, which would
// fail the configuration); a bad flag fails with the usage on stderr.
func TestRunHelp(t *testing.T) {
	t.Parallel()
	tests := []struct {
		args    []string
		wantErr bool
		stdout  string // a substring of stdout
		stderr  string // a substring of stderr
	}{
		{args: []string{"--help"}, stdout: "usage: zapgate <command>"},
		{args: []string{"-h"}, stdout: "usage: zapgate <command>"},
		{args: []string{"help"}, stdout: "usage: zapgate <command>"},
		{args: []string{"serve", "--help"}, stdout: "usage: zapgate serve"},
		{args: []string{"serve", "-h"}, stdout: "-roles"},
		{args: []string{"migrate", "--help"}, stdout: "-create-database"},
		{args: []string{"migrate", "-h"}, stdout: "usage: zapgate migrate"},
		{args: []string{"events", "--help"}, stdout: "usage: zapgate events replay"},
		{args: []string{"events", "replay", "--help"}, stdout: "-since"},
		{args: []string{"events", "replay", "-h"}, stdout: "usage: zapgate events replay"},
		{args: []string{"serve", "--rolls", "api"}, wantErr: true, stderr: "usage: zapgate serve"},
		{args: []string{"migrate", "--create"}, wantErr: true, stderr: "usage: zapgate migrate"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			getenv := func(string) string { return "" }
			err := run(context.Background(), tt.args, getenv, &stdout, &stderr)
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, want error: %v\nstdout: %s\nstderr: %s", err, tt.wantErr, &stdout, &stderr)
			}
			if !strings.Contains(stdout.String(), tt.stdout) {
				t.Errorf("stdout lacks %q:\n%s", tt.stdout, &stdout)
			}
			if !strings.Contains(stderr.String(), tt.stderr) {
				t.Errorf("stderr lacks %q:\n%s", tt.stderr, &stderr)
			}
			if err != nil && strings.Contains(err.Error(), "help requested") || strings.Contains(stderr.String(), "help requested") {
				t.Errorf("help reported as an error: %v %s", err, &stderr)
			}
		})
	}
}
