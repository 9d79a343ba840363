package e2e

import (
	"fmt"
	"testing"
	"time"
)

func TestBotReplicasShareInstancesAndTakeOver(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	api := e.start("ZAPGATE_ROLES=api,forwarder,notifier,scheduler")
	bot1 := e.start("ZAPGATE_ROLES=bot")
	e.start("ZAPGATE_ROLES=bot")
	type inst struct{ id, token string }
	var insts []inst
	for i := range 4 {
		id, token := api.linkedInstance(fmt.Sprint("n", i), fmt.Sprint("55119000001", i))
		insts = append(insts, inst{id, token})
	}
	eventually(t, 30*time.Second, "instances spread over both bots", func() bool {
		return countRows(t, api, `SELECT count(*) FROM (SELECT owner FROM instance_leases GROUP BY owner HAVING count(*) = 2) o`) == 2
	})
	for i := range 50 {
		for _, in := range insts {
			api.must(202, "POST", "/v1/instances/"+in.id+"/messages", in.token,
				map[string]any{"to": "5511999998888", "type": "text", "text": fmt.Sprint("m", i)})
		}
		if i == 10 {
			bot1.kill() // mid-burst, as a crash
		}
	}
	eventually(t, 90*time.Second, "every message sent", func() bool {
		return countRows(t, api, `SELECT count(*) FROM messages WHERE status = 'sent'`) == 200
	})
	st := api.must(200, "GET", "/v1/sim/stats", adminToken, nil)
	if st["sent"] != float64(200) || st["distinct"] != float64(200) {
		t.Fatalf("sim stats = %v: a message was sent twice", st)
	}
	if owners := countRows(t, api, `SELECT count(DISTINCT owner) FROM instance_leases`); owners != 1 {
		t.Fatalf("%d lease owners after the crash, want the survivor only", owners)
	}
}
