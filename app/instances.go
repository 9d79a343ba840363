package app

import (
	"time"

	"github.com/zapgate/zapgate/domain"
	"github.com/zapgate/zapgate/events"
)

func instanceStatusEvent(in *domain.Instance, now time.Time) events.Envelope {
	return newEvent(events.InstanceStatus, in.ID, now, events.InstanceStatusChanged{
		Status: string(in.Status), Phone: in.Phone, Reason: in.StatusReason,
	})
}
