package config

import (
	"strings"
	"testing"
	"time"
)

func env(kv ...string) func(string) string {
	m := map[string]string{}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i]] = kv[i+1]
	}
	return func(k string) string { return m[k] }
}

func TestLoadDefaults(t *testing.T) {
	c, err := Load(env("ZAPGATE_ADMIN_TOKEN", "a-long-admin-token"))
	if err != nil {
		t.Fatal(err)
	}
	if c.HTTPAddr != ":8080" || c.WhatsAppDriver != "whatsmeow" || c.Storage != "file://./data/media" ||
		c.AttendanceIdle != 30*time.Minute || c.AttendanceSweep != 5*time.Minute || c.EventRetention != 720*time.Hour ||
		c.SendRate != DefaultSendRate || c.NewContactsPerDay != 50 || c.WarmupDays != 7 || c.WebhookDenyPrivate || c.Roles.String() != "api,forwarder,bot,notifier,scheduler" ||
		c.PublicURL != "http://localhost:8080" || c.Namespace != "" || c.CommandTimeout != 2*time.Minute {
		t.Fatalf("defaults = %+v", c)
	}
}

func TestLoadProblems(t *testing.T) {
	tests := []struct {
		name string
		env  []string
		want []string
	}{
		{"missing admin token", nil, []string{"ZAPGATE_ADMIN_TOKEN is required"}},
		{"short admin token", []string{"ZAPGATE_ADMIN_TOKEN", "abc"}, []string{"too short"}},
		{"bad urls", []string{"ZAPGATE_ADMIN_TOKEN", "a-long-admin-token", "ZAPGATE_DATABASE_URL", "mysql://x", "ZAPGATE_AMQP_URL", "http://x"},
			[]string{"ZAPGATE_DATABASE_URL", "ZAPGATE_AMQP_URL"}},
		{"bad driver and storage", []string{"ZAPGATE_ADMIN_TOKEN", "a-long-admin-token", "ZAPGATE_WHATSAPP_DRIVER", "x", "ZAPGATE_STORAGE", "ftp://x"},
			[]string{"ZAPGATE_WHATSAPP_DRIVER", "ZAPGATE_STORAGE"}},
		{"bad sending guards", []string{"ZAPGATE_ADMIN_TOKEN", "a-long-admin-token", "ZAPGATE_NEW_CONTACTS_PER_DAY", "-1", "ZAPGATE_WARMUP_DAYS", "x"},
			[]string{"ZAPGATE_NEW_CONTACTS_PER_DAY", "ZAPGATE_WARMUP_DAYS"}},
		{"bad numbers", []string{"ZAPGATE_ADMIN_TOKEN", "a-long-admin-token", "ZAPGATE_SEND_RATE", "-1", "ZAPGATE_ATTENDANCE_IDLE", "0s",
			"ZAPGATE_WEBHOOK_DENY_PRIVATE", "maybe", "ZAPGATE_HTTP_ADDR", "8080"},
			[]string{"ZAPGATE_SEND_RATE", "ZAPGATE_ATTENDANCE_IDLE", "ZAPGATE_WEBHOOK_DENY_PRIVATE", "ZAPGATE_HTTP_ADDR"}},
		{"bad command timeout", []string{"ZAPGATE_ADMIN_TOKEN", "a-long-admin-token", "ZAPGATE_COMMAND_TIMEOUT", "soon"}, []string{"ZAPGATE_COMMAND_TIMEOUT"}},
		{"bad roles", []string{"ZAPGATE_ADMIN_TOKEN", "a-long-admin-token", "ZAPGATE_ROLES", "api,chef"}, []string{"ZAPGATE_ROLES"}},
		{"namespace with a dot", []string{"ZAPGATE_ADMIN_TOKEN", "a-long-admin-token", "ZAPGATE_NAMESPACE", "prod.eu"}, []string{"ZAPGATE_NAMESPACE"}},
		{"namespace with a wildcard", []string{"ZAPGATE_ADMIN_TOKEN", "a-long-admin-token", "ZAPGATE_NAMESPACE", "prod#"}, []string{"ZAPGATE_NAMESPACE"}},
		{"namespace in capitals", []string{"ZAPGATE_ADMIN_TOKEN", "a-long-admin-token", "ZAPGATE_NAMESPACE", "Prod"}, []string{"ZAPGATE_NAMESPACE"}},
		{"namespace too long", []string{"ZAPGATE_ADMIN_TOKEN", "a-long-admin-token", "ZAPGATE_NAMESPACE", strings.Repeat("a", 33)}, []string{"ZAPGATE_NAMESPACE"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Load(env(tt.env...))
			if err == nil {
				t.Fatal("accepted")
			}
			lines := strings.Split(err.Error(), "\n")
			if len(lines) != len(tt.want) {
				t.Errorf("%d problems reported, want %d: %v", len(lines), len(tt.want), lines)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("missing %q in %v", w, err)
				}
			}
		})
	}
}

func TestLoadNamespace(t *testing.T) {
	for _, ns := range []string{"prod", "eu-west_2", "a", strings.Repeat("a", 32)} {
		c, err := Load(env("ZAPGATE_ADMIN_TOKEN", "a-long-admin-token", "ZAPGATE_NAMESPACE", " "+ns+" "))
		if err != nil || c.Namespace != ns {
			t.Errorf("ZAPGATE_NAMESPACE=%q: namespace %q, %v", ns, c.Namespace, err)
		}
	}
}

func TestParseRoles(t *testing.T) {
	r, err := ParseRoles(" bot , api ")
	if err != nil || !r[RoleBot] || !r[RoleAPI] || r[RoleForwarder] || r.String() != "api,bot" {
		t.Fatalf("%v %v", r, err)
	}
}
