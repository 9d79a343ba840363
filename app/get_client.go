package app

import (
	"context"
	"strings"

	"github.com/zapgate/zapgate/domain"
)

// ClientView is a client with their attendances (newest first) and the
// labels those carry.
type ClientView struct {
	Client      domain.Client
	Attendances []domain.Attendance
	Labels      []string
}

// GetClient returns a client's page.
func (a *App) GetClient(ctx context.Context, id string) (*ClientView, error) {
	if !domain.ValidID(id) {
		return nil, domain.NotFound("client")
	}
	c, err := a.tools.Client(ctx, id)
	if err != nil {
		return nil, err
	}
	atts, err := a.tools.ClientAttendances(ctx, id)
	if err != nil {
		return nil, err
	}
	labels := []string{}
	seen := map[string]bool{}
	for _, att := range atts {
		for _, l := range att.Labels {
			if k := strings.ToLower(l); !seen[k] {
				seen[k] = true
				labels = append(labels, l)
			}
		}
	}
	return &ClientView{Client: *c, Attendances: atts, Labels: labels}, nil
}
