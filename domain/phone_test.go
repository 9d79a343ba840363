package domain

import "testing"

func TestNormalizePhone(t *testing.T) {
	tests := []struct {
		in   string
		want string
		ok   bool
	}{
		{"5511999998888", "5511999998888", true},
		{"+5511999998888", "5511999998888", true},
		{"12345678", "12345678", true},
		{"123456789012345", "123456789012345", true},
		{"1234567", "", false},
		{"1234567890123456", "", false},
		{"++5511999998888", "", false},
		{"55 11 99999 8888", "", false},
		{"55-11-999998888", "", false},
		{"", "", false},
		{"+", "", false},
		{"５５１１９９９９９８８８８", "", false},
	}
	for _, tt := range tests {
		got, ok := NormalizePhone(tt.in)
		if got != tt.want || ok != tt.ok {
			t.Errorf("NormalizePhone(%q) = %q, %v; want %q, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

func FuzzNormalizePhone(f *testing.F) {
	for _, s := range []string{"5511999998888", "+5511999998888", "", "+", "abc", "1234567890123456"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, ok := NormalizePhone(s)
		if !ok {
			return
		}
		if len(got) < 8 || len(got) > 15 {
			t.Fatalf("accepted %q with length %d", got, len(got))
		}
		for _, c := range got {
			if c < '0' || c > '9' {
				t.Fatalf("accepted non-digit in %q", got)
			}
		}
		if again, ok := NormalizePhone(got); !ok || again != got {
			t.Fatalf("not idempotent: %q -> %q", got, again)
		}
	})
}
