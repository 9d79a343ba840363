package domain

import (
	"testing"
	"time"
)

func TestInstanceShowQR(t *testing.T) {
	exp := now.Add(time.Minute)
	tests := []struct {
		name        string
		from        InstanceStatus
		code        string
		wantChanged bool
		wantErr     bool
	}{
		{"first code of a round", InstanceCreated, "code-1", true, false},
		{"next code of the same round", InstanceQR, "code-2", false, false},
		{"after a logout", InstanceLoggedOut, "code-3", true, false},
		{"an empty code", InstanceCreated, "", false, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := &Instance{Status: tt.from}
			changed, err := in.ShowQR(tt.code, exp, now)
			if (err != nil) != tt.wantErr || changed != tt.wantChanged {
				t.Fatalf("changed %v err %v", changed, err)
			}
			if tt.wantErr {
				if in.Status != tt.from || in.QRCode != "" || in.QRExpiresAt != nil {
					t.Fatalf("refused code changed the instance: %+v", in)
				}
				return
			}
			if in.Status != InstanceQR || in.QRCode != tt.code || !in.QRExpiresAt.Equal(exp) {
				t.Fatalf("%+v", in)
			}
		})
	}
}

func TestInstanceTouch(t *testing.T) {
	in := &Instance{UpdatedAt: now}
	later := now.Add(time.Hour)
	in.Touch(later)
	if !in.UpdatedAt.Equal(later) {
		t.Fatalf("updated at %v", in.UpdatedAt)
	}
}
