// Package ffmpeg converts audio into WhatsApp voice notes (Ogg/Opus) with
// the ffmpeg binary, when one is installed.
package ffmpeg

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"time"

	"github.com/zapgate/zapgate/app"
)

// Timeout bounds one conversion; a voice note of 16 MiB converts in far
// less on any machine that can run zapgate.
const Timeout = 60 * time.Second

// Converter runs ffmpeg; it implements app.VoiceConverter.
type Converter struct {
	path    string // "" when ffmpeg is not installed
	timeout time.Duration
}

// New finds ffmpeg with lookPath (exec.LookPath in production; tests pass
// one that finds nothing). Without it every conversion reports
// app.ErrNoConverter.
func New(lookPath func(string) (string, error)) *Converter {
	path, err := lookPath("ffmpeg")
	if err != nil {
		path = ""
	}
	return &Converter{path: path, timeout: Timeout}
}

// Installed tells whether ffmpeg was found.
func (c *Converter) Installed() bool { return c.path != "" }

// ToVoiceNote implements app.VoiceConverter: mono Opus at 32 kb/s, 48 kHz,
// in Ogg, as WhatsApp records voice notes. The audio goes in through stdin
// (MP4/M4A through a temporary file, see seekable) and comes out through
// stdout.
func (c *Converter) ToVoiceNote(ctx context.Context, audio []byte) ([]byte, error) {
	if c.path == "" {
		return nil, fmt.Errorf("ffmpeg is not on PATH: %w", app.ErrNoConverter)
	}
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	input := "pipe:0"
	if seekable(audio) {
		f, err := os.CreateTemp("", "zapgate-voice-*")
		if err != nil {
			return nil, fmt.Errorf("ffmpeg input: %w", err)
		}
		defer os.Remove(f.Name())
		_, err = f.Write(audio)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return nil, fmt.Errorf("ffmpeg input: %w", err)
		}
		input = f.Name()
	}
	cmd := exec.CommandContext(ctx, c.path, "-hide_banner", "-loglevel", "error", "-nostdin",
		"-i", input, "-vn", "-map_metadata", "-1",
		"-c:a", "libopus", "-b:a", "32k", "-ac", "1", "-ar", "48000", "-application", "voip",
		"-f", "ogg", "pipe:1")
	if input == "pipe:0" {
		cmd.Stdin = bytes.NewReader(audio)
	}
	var out, stderr bytes.Buffer
	out.Grow(len(audio) / 2)
	cmd.Stdout, cmd.Stderr = &out, &stderr
	if err := cmd.Run(); err != nil {
		if errors.Is(ctx.Err(), context.DeadlineExceeded) {
			return nil, fmt.Errorf("ffmpeg took longer than %s", c.timeout)
		}
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, fmt.Errorf("ffmpeg: %s", reason(stderr.String(), err))
	}
	return out.Bytes(), nil
}

// seekable tells whether the audio needs a seekable input: MP4/M4A keep
// their index (moov) anywhere, often at the end, which a pipe cannot reach.
func seekable(audio []byte) bool {
	return len(audio) > 12 && string(audio[4:8]) == "ftyp"
}

// reason is the last line ffmpeg wrote, which names the problem.
func reason(stderr string, err error) string {
	lines := strings.Split(strings.TrimSpace(stderr), "\n")
	if last := strings.TrimSpace(lines[len(lines)-1]); last != "" {
		return last
	}
	return err.Error()
}

var _ app.VoiceConverter = (*Converter)(nil)
