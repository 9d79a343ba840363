package app

import (
	"context"
	"fmt"

	"github.com/zapgate/zapgate/domain"
)

// MessageMedia returns the file a message carries to the principal: the
// instance's own token and the admin get any message's file, an attendant
// the files of the attendances they see (what customers send them and what
// they sent). Everyone else is told the instance does not exist.
func (a *App) MessageMedia(ctx context.Context, p Principal, instanceID, id string) ([]byte, *domain.Media, error) {
	if !p.CanAccess(instanceID) && !p.CanAttend() {
		return nil, nil, domain.NotFound("instance")
	}
	m, err := a.GetMessage(ctx, instanceID, id)
	if err != nil {
		return nil, nil, err
	}
	if !p.CanAccess(instanceID) && !p.SeesAttendance(m.AttendanceID) {
		return nil, nil, domain.NotFound("message")
	}
	if m.Media == nil {
		return nil, nil, domain.NotFound("media")
	}
	data, err := a.storage.Get(ctx, m.Media.Key)
	if err != nil {
		return nil, nil, fmt.Errorf("load media: %w", err)
	}
	return data, m.Media, nil
}
