package scp

import (
	"testing"

	"github.com/serverimage-operator/serverimage-operator/internal/cloud"
)

func TestServerOf(t *testing.T) {
	tests := []struct {
		state      string
		wantStatus string
		want       cloud.ServerReadiness
	}{
		{"ACTIVE", "ACTIVE", cloud.ServerIdle},
		{"active", "ACTIVE", cloud.ServerIdle},
		{"SHUTOFF", "SHUTOFF", cloud.ServerIdle},
		{"STOPPED", "STOPPED", cloud.ServerIdle},
		{"PAUSED", "PAUSED", cloud.ServerIdle},
		{"SUSPENDED", "SUSPENDED", cloud.ServerIdle},
		{"RUNNING", "RUNNING", cloud.ServerIdle},
		{"REBOOT", "REBOOT", cloud.ServerBusy},
		{"RESIZE", "RESIZE", cloud.ServerBusy},
		{"BUILD", "BUILD", cloud.ServerBusy},
		{"STOPPING", "STOPPING", cloud.ServerBusy},
		{"ERROR", "ERROR", cloud.ServerCannotBeImaged},
		{"SHELVED_OFFLOADED", "SHELVED_OFFLOADED", cloud.ServerCannotBeImaged},
		{"VERIFY_RESIZE", "VERIFY_RESIZE", cloud.ServerCannotBeImaged},
		{"TERMINATED", "TERMINATED", cloud.ServerCannotBeImaged},
		// Unknown and missing states: let createImage's answer decide,
		// and keep the raw state for messages.
		{"SOMETHING_NEW", "SOMETHING_NEW", cloud.ServerIdle},
		{"", "", cloud.ServerIdle},
	}
	for _, tc := range tests {
		s := serverOf("id", tc.state)
		if s.Status != tc.wantStatus || s.Readiness != tc.want {
			t.Errorf("state %q: %+v, want status %q readiness %s", tc.state, s, tc.wantStatus, tc.want)
		}
	}
}
