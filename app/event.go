package app

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/zapgate/zapgate/domain"
	"github.com/zapgate/zapgate/events"
)

// newEvent builds an envelope with a fresh id. The data types are plain
// structs, so marshalling cannot fail; a failure is a programming error.
func newEvent(typ, instanceID string, now time.Time, data any) events.Envelope {
	e, err := events.New(domain.NewID(now), typ, instanceID, now, data)
	if err != nil {
		panic("events: " + err.Error())
	}
	return e
}

func encodeEnvelope(e events.Envelope) ([]byte, error) {
	b, err := json.Marshal(e)
	if err != nil {
		return nil, fmt.Errorf("encode %s: %w", e.ID, err)
	}
	return b, nil
}
