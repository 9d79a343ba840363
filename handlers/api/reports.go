package api

import (
	"bufio"
	"context"
	"encoding/csv"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/zapgate/zapgate/app"
)

// exportTimeout bounds one CSV export: it outlives the handler (the body
// streams after it returns), so it cannot lean on the request's context.
const exportTimeout = 10 * time.Minute

// reportCSVHeader names the export's columns, in order.
var reportCSVHeader = []string{"id", "instance_id", "team", "attendant", "client_phone", "client_lid", "client_name",
	"opened_at", "first_reply_at", "closed_at", "closed_reason", "first_response_s", "resolution_s", "rating", "comment", "labels"}

func (s *Server) attendanceReport(c *fiber.Ctx) error {
	f, err := s.app.ReportFilter(c.Query("from"), c.Query("to"), c.Query("instance_id"), c.Query("team_id"), c.Query("attendant_id"))
	if err != nil {
		return err
	}
	if !strings.Contains(c.Get(fiber.HeaderAccept), "text/csv") {
		r, err := s.app.AttendanceReport(c.UserContext(), f)
		if err != nil {
			return err
		}
		return c.JSON(r)
	}
	c.Set(fiber.HeaderContentType, "text/csv; charset=utf-8")
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="attendances.csv"`)
	ctx := context.WithoutCancel(c.UserContext())
	log := s.log
	c.Context().SetBodyStreamWriter(func(bw *bufio.Writer) {
		ctx, cancel := context.WithTimeout(ctx, exportTimeout)
		defer cancel()
		w := csv.NewWriter(bw)
		rec := make([]string, len(reportCSVHeader))
		if err := w.Write(reportCSVHeader); err != nil {
			return
		}
		n := 0
		err := s.app.ExportAttendances(ctx, f, func(r app.ReportRow) error {
			if err := w.Write(reportRecord(rec, r)); err != nil {
				return err
			}
			// Flush now and then so rows reach the client as they come
			// and a client that went away stops the query.
			if n++; n%500 == 0 {
				w.Flush()
				if err := w.Error(); err != nil {
					return err
				}
				return bw.Flush()
			}
			return nil
		})
		w.Flush()
		if err != nil {
			// The status line is gone already: the export ends short and the
			// log says why.
			log.Error("attendance export", "err", err, "rows", n)
		}
	})
	return nil
}

// reportRecord fills rec with r's columns.
func reportRecord(rec []string, r app.ReportRow) []string {
	rec[0], rec[1] = r.ID, r.InstanceID
	rec[2], rec[3] = cell(r.TeamName), cell(r.AttendantName)
	rec[4], rec[5], rec[6] = r.ClientPhone, r.ClientLID, cell(r.ClientName)
	rec[7] = r.OpenedAt.Format(time.RFC3339)
	rec[8], rec[9], rec[11], rec[12] = "", "", "", ""
	if r.FirstReplyAt != nil {
		rec[8] = r.FirstReplyAt.Format(time.RFC3339)
		rec[11] = strconv.FormatInt(int64(r.FirstReplyAt.Sub(r.OpenedAt)/time.Second), 10)
	}
	if r.ClosedAt != nil {
		rec[9] = r.ClosedAt.Format(time.RFC3339)
		rec[12] = strconv.FormatInt(int64(r.ClosedAt.Sub(r.OpenedAt)/time.Second), 10)
	}
	rec[10] = r.ClosedReason
	rec[13] = ""
	if r.Rating != nil {
		rec[13] = strconv.Itoa(*r.Rating)
	}
	rec[14] = cell(r.Comment)
	rec[15] = cell(strings.Join(r.Labels, ";"))
	return rec
}

// cell keeps text people typed from being read as a formula by a
// spreadsheet opening the export.
func cell(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}
