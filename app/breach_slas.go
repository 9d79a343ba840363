package app

import (
	"context"
	"time"

	"github.com/zapgate/zapgate/domain"
	"github.com/zapgate/zapgate/events"
)

// SLATx is the part of a Postgres transaction the SLA sweeper needs; a
// store without it has no SLAs to watch.
type SLATx interface {
	// ClaimSLABreaches marks up to limit open attendances, still waiting
	// for their first reply past their SLA due time, as breached at now,
	// and returns them. The mark is the claim: a row is returned by one
	// transaction only, whichever replica runs it.
	ClaimSLABreaches(ctx context.Context, now time.Time, limit int) ([]domain.Attendance, error)
}

// BreachSLAs emits attendance.sla_breached for up to batch attendances
// whose first attendant reply is late, in the transaction that marks
// them, so each is reported exactly once.
func (a *App) BreachSLAs(ctx context.Context, batch int) (int, error) {
	n := 0
	err := a.store.InTx(ctx, func(tx Tx) error {
		st, ok := tx.(SLATx)
		if !ok {
			return nil
		}
		now := a.now()
		late, err := st.ClaimSLABreaches(ctx, now, batch)
		if err != nil {
			return err
		}
		envs := make([]events.Envelope, 0, len(late))
		for _, att := range late {
			envs = append(envs, newEvent(events.AttendanceSLABreached, att.InstanceID, now, events.AttendanceSLABreachedData{
				AttendanceID: att.ID, InstanceID: att.InstanceID, SLASeconds: att.SLA().Seconds(), OpenedAt: att.OpenedAt}))
		}
		n = len(late)
		return tx.Publish(ctx, envs...)
	})
	return n, err
}
