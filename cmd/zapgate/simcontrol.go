package main

import (
	"context"

	httpapi "github.com/zapgate/zapgate/handlers/http"
	"github.com/zapgate/zapgate/infra/whatsapp/sim"
)

// simControl adapts the sim driver to the sim routes' port, so handlers
// never import the driver.
type simControl struct{ *sim.Network }

func (s simControl) Sent(ctx context.Context, instanceID string, limit int, after int64) ([]httpapi.SimSent, error) {
	items, err := s.Network.Sent(ctx, instanceID, limit, after)
	if err != nil {
		return nil, err
	}
	// Never nil: an empty page is [] on the wire.
	out := make([]httpapi.SimSent, 0, len(items))
	for _, it := range items {
		out = append(out, httpapi.SimSent{Seq: it.Seq, To: it.To, Type: it.Type, Text: it.Text, Caption: it.Caption,
			Mime: it.Mime, Filename: it.Filename, SHA256: it.SHA256, WAMessageID: it.WAMessageID, At: it.At})
	}
	return out, nil
}

func (s simControl) Stats(ctx context.Context) (httpapi.SimStats, error) {
	st, err := s.Network.Stats(ctx)
	if err != nil {
		return httpapi.SimStats{}, err
	}
	return httpapi.SimStats(st), nil
}
