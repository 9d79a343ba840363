package main

import (
	"context"
	"encoding/json"

	"github.com/zapgate/zapgate/handlers/api"
	"github.com/zapgate/zapgate/infra/whatsapp/sim"
)

// simControl adapts the sim driver to the sim routes' port, so handlers
// never import the driver.
type simControl struct{ *sim.Network }

func (s simControl) Sent(ctx context.Context, instanceID string, limit int, after int64) ([]api.SimSent, error) {
	items, err := s.Network.Sent(ctx, instanceID, limit, after)
	if err != nil {
		return nil, err
	}
	// Never nil: an empty page is [] on the wire.
	out := make([]api.SimSent, 0, len(items))
	for _, it := range items {
		mentions := []string(it.Mentions)
		if mentions == nil {
			mentions = []string{}
		}
		out = append(out, api.SimSent{Seq: it.Seq, To: it.To, Chat: it.Chat, Type: it.Type, Text: it.Text, Caption: it.Caption,
			Mime: it.Mime, Filename: it.Filename, SHA256: it.SHA256, WAMessageID: it.WAMessageID, Mentions: mentions, At: it.At,
			Location: json.RawMessage(it.Location), Contacts: json.RawMessage(it.Contacts), Poll: json.RawMessage(it.Poll),
			Kind: it.Kind, PTT: it.PTT, State: it.State, TargetWAMessageID: it.TargetWAMessageID, MessageIDs: messageIDs(it.MessageIDs),
			ReplyToWAID: it.ReplyToWAID, Emoji: it.Emoji})
	}
	return out, nil
}

func (s simControl) Stats(ctx context.Context) (api.SimStats, error) {
	st, err := s.Network.Stats(ctx)
	if err != nil {
		return api.SimStats{}, err
	}
	return api.SimStats(st), nil
}

// messageIDs is never nil: [] on the wire.
func messageIDs(ids []string) []string {
	if ids == nil {
		return []string{}
	}
	return ids
}
