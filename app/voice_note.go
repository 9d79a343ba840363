package app

import (
	"context"
	"errors"

	"github.com/zapgate/zapgate/domain"
)

// VoiceConverter turns audio of any common format into Ogg/Opus, the only
// format WhatsApp plays as a voice note.
type VoiceConverter interface {
	// ToVoiceNote converts audio; errors wrapping ErrNoConverter mean the
	// converter (ffmpeg) is not installed.
	ToVoiceNote(ctx context.Context, audio []byte) ([]byte, error)
}

// ErrNoConverter is returned by a VoiceConverter that has nothing to
// convert with.
var ErrNoConverter = errors.New("no audio converter installed")

var errVoiceNeedsConverter = domain.InvalidField("media", "voice notes need OGG/Opus, or ffmpeg installed to convert")

// voiceNote is the audio of a voice note: Ogg/Opus as it came, anything
// else converted at request time, so a file ffmpeg cannot read is the
// client's 400 and not a failed message later.
func (a *App) voiceNote(ctx context.Context, audio []byte) ([]byte, error) {
	if domain.IsOggOpus(audio) {
		return audio, nil
	}
	if a.voice == nil {
		return nil, errVoiceNeedsConverter
	}
	out, err := a.voice.ToVoiceNote(ctx, audio)
	switch {
	case errors.Is(err, ErrNoConverter):
		return nil, errVoiceNeedsConverter
	case err != nil:
		return nil, domain.InvalidField("media", "could not be converted to a voice note: "+err.Error())
	case !domain.IsOggOpus(out):
		return nil, domain.InvalidField("media", "could not be converted to a voice note (no Ogg/Opus came out)")
	case len(out) > domain.MaxMediaBytes:
		return nil, domain.ErrMediaTooLarge
	}
	return out, nil
}
