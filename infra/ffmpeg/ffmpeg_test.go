package ffmpeg

import (
	"context"
	"errors"
	"os/exec"
	"testing"

	"github.com/zapgate/zapgate/app"
	"github.com/zapgate/zapgate/domain"
)

// installed is ffmpeg, which the test tasks install (scripts/install-ffmpeg.sh).
func installed(t *testing.T) *Converter {
	t.Helper()
	c := New(exec.LookPath)
	if !c.Installed() {
		t.Fatal("ffmpeg is not installed: task ffmpeg (part of task test) installs it")
	}
	return c
}

// sample makes one second of a sine in the given format with ffmpeg itself.
func sample(t *testing.T, format string) []byte {
	t.Helper()
	out, err := exec.Command("ffmpeg", "-hide_banner", "-loglevel", "error", "-f", "lavfi", "-i", "sine=d=1",
		"-f", format, "pipe:1").Output()
	if err != nil {
		t.Fatalf("make a %s sample: %v", format, err)
	}
	return out
}

func TestToVoiceNote(t *testing.T) {
	c := installed(t)
	for _, format := range []string{"mp3", "wav"} {
		t.Run(format, func(t *testing.T) {
			out, err := c.ToVoiceNote(context.Background(), sample(t, format))
			if err != nil {
				t.Fatal(err)
			}
			if !domain.IsOggOpus(out) {
				t.Fatalf("not Ogg/Opus: % x", out[:min(len(out), 40)])
			}
			if d, ok := domain.OggOpusDuration(out); !ok || d.Seconds() < 0.9 || d.Seconds() > 1.1 {
				t.Errorf("duration %v, %v; want about 1s", d, ok)
			}
		})
	}
}

func TestToVoiceNoteFromM4A(t *testing.T) {
	c := installed(t)
	// An M4A's index may sit after the audio: it converts from a file.
	out, err := exec.Command("bash", "-c", `f=$(mktemp --suffix=.m4a) && ffmpeg -y -hide_banner -loglevel error -f lavfi -i sine=d=1 -c:a aac "$f" && cat "$f" && rm -f "$f"`).Output()
	if err != nil {
		t.Fatalf("ffmpeg has no aac encoder to make the m4a sample: %v", err)
	}
	got, err := c.ToVoiceNote(context.Background(), out)
	if err != nil {
		t.Fatal(err)
	}
	if !domain.IsOggOpus(got) {
		t.Fatal("not Ogg/Opus")
	}
}

func TestToVoiceNoteRefusesNonAudio(t *testing.T) {
	c := installed(t)
	_, err := c.ToVoiceNote(context.Background(), []byte("this is not audio at all"))
	if err == nil || errors.Is(err, app.ErrNoConverter) {
		t.Fatalf("err = %v, want ffmpeg's refusal", err)
	}
}

func TestToVoiceNoteWithoutFFmpeg(t *testing.T) {
	c := New(func(string) (string, error) { return "", exec.ErrNotFound })
	if c.Installed() {
		t.Fatal("installed without ffmpeg")
	}
	if _, err := c.ToVoiceNote(context.Background(), []byte("ID3")); !errors.Is(err, app.ErrNoConverter) {
		t.Fatalf("err = %v, want app.ErrNoConverter", err)
	}
}

func TestToVoiceNoteCanceled(t *testing.T) {
	c := installed(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := c.ToVoiceNote(ctx, sample(t, "mp3")); err == nil {
		t.Fatal("a canceled conversion succeeded")
	}
}
