package e2e

import (
	"encoding/csv"
	"net/url"
	"strings"
	"testing"
	"time"
)

// TestAttendanceReportJSONAndCSV: one attendance opened, answered, rated
// and closed shows in the figures, under its attendant, and as one CSV row
// with a header; bad ranges are 400s naming the field, attendants get 404.
func TestAttendanceReportJSONAndCSV(t *testing.T) {
	t.Parallel()
	p := newEnv(t).start()
	id, _ := p.linkedInstance("reports", "5511900000401")
	att := p.must(201, "POST", "/v1/attendants", adminToken, map[string]any{"name": "Rita", "email": "rita@example.com", "password": "s3cret-pass", "role": "attendant"})
	token := p.must(200, "POST", "/v1/auth/login", "", map[string]any{"email": "rita@example.com", "password": "s3cret-pass"})["token"].(string)

	p.inbound(id, "5511988880401", "preciso de ajuda, \"urgente\"", "WA-R-1")
	eventually(t, 20*time.Second, "an open attendance", func() bool {
		return len(p.must(200, "GET", "/v1/attendances?status=open", token, nil)["items"].([]any)) == 1
	})
	aid := firstOpen(t, p, token)
	p.must(202, "POST", "/v1/attendances/"+aid+"/messages", token, map[string]any{"type": "text", "text": "Claro!"})
	p.must(200, "POST", "/v1/attendances/"+aid+"/close", token, nil)

	q := "/v1/reports/attendances?instance_id=" + id
	r := p.must(200, "GET", q, adminToken, nil)
	if r["opened"] != float64(1) || r["closed"] != float64(1) {
		t.Fatalf("report %v", r)
	}
	if fr := r["first_response"].(map[string]any); fr["p50_s"] == nil || fr["p90_s"] == nil {
		t.Fatalf("first response %v", fr)
	}
	by := r["by_attendant"].([]any)
	if len(by) != 1 || by[0].(map[string]any)["attendant_id"] != att["id"] || by[0].(map[string]any)["name"] != "Rita" ||
		by[0].(map[string]any)["closed"] != float64(1) {
		t.Fatalf("by attendant %v", by)
	}
	days := r["per_day"].([]any)
	if len(days) < 7 || len(days) > 8 || days[len(days)-1].(map[string]any)["opened"] != float64(1) {
		t.Fatalf("per day %v", days)
	}
	if other := p.must(200, "GET", "/v1/reports/attendances?attendant_id="+id, adminToken, nil); other["opened"] != float64(0) {
		t.Fatalf("someone else's report %v", other)
	}

	resp := p.do("GET", q, adminToken, nil, "Accept", "text/csv")
	if resp.Status != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/csv") {
		t.Fatalf("csv = %d %s: %s", resp.Status, resp.Header.Get("Content-Type"), resp.Body)
	}
	recs, err := csv.NewReader(strings.NewReader(string(resp.Body))).ReadAll()
	if err != nil {
		t.Fatalf("csv %v: %s", err, resp.Body)
	}
	if len(recs) != 2 || strings.Join(recs[0], ",") != "id,instance_id,team,attendant,client_phone,client_lid,client_name,opened_at,first_reply_at,closed_at,closed_reason,first_response_s,resolution_s,rating,comment,labels" {
		t.Fatalf("csv records %q", recs)
	}
	if row := recs[1]; row[0] != aid || row[1] != id || row[3] != "Rita" || row[4] != "5511988880401" || row[8] == "" || row[9] == "" {
		t.Fatalf("csv row %q", row)
	}

	from := url.QueryEscape(time.Now().UTC().Add(-400 * 24 * time.Hour).Format(time.RFC3339))
	for _, tt := range []struct{ query, field string }{
		{"from=yesterday", "from"},
		{"to=2026-13-01", "to"},
		{"from=" + from, "to"},
		{"team_id=x", "team_id"},
	} {
		r := p.do("GET", "/v1/reports/attendances?"+tt.query, adminToken, nil)
		fields, _ := r.JSON(t)["error"].(map[string]any)["fields"].(map[string]any)
		if r.Status != 400 || fields[tt.field] == nil {
			t.Errorf("%s = %d %s, want 400 naming %s", tt.query, r.Status, r.Body, tt.field)
		}
	}
	p.must(404, "GET", "/v1/reports/attendances", token, nil)
}
