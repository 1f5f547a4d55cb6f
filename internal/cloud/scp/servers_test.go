package scp

import "testing"

func TestServerOf(t *testing.T) {
	tests := []struct {
		state         string
		wantStatus    string
		wantBusy      bool
		wantSnapshots bool
	}{
		{"ACTIVE", "ACTIVE", false, true},
		{"active", "ACTIVE", false, true},
		{"SHUTOFF", "SHUTOFF", false, true},
		{"STOPPED", "STOPPED", false, true},
		{"PAUSED", "PAUSED", false, true},
		{"SUSPENDED", "SUSPENDED", false, true},
		{"RUNNING", "ACTIVE", false, true},
		{"REBOOT", "REBOOT", true, false},
		{"RESIZE", "RESIZE", true, false},
		{"BUILD", "BUILD", true, false},
		{"STOPPING", "STOPPING", true, false},
		{"ERROR", "ERROR", false, false},
		{"SHELVED_OFFLOADED", "SHELVED_OFFLOADED", false, false},
		{"VERIFY_RESIZE", "VERIFY_RESIZE", false, false},
		{"TERMINATED", "TERMINATED", false, false},
		// Unknown and missing states: let createImage's answer decide.
		{"SOMETHING_NEW", "ACTIVE", false, true},
		{"", "ACTIVE", false, true},
	}
	for _, tc := range tests {
		s := serverOf("id", tc.state)
		if s.Status != tc.wantStatus || s.ServerBusy() != tc.wantBusy || (!s.ServerBusy() && s.Snapshottable() != tc.wantSnapshots) {
			t.Errorf("state %q: %+v busy=%v snapshottable=%v", tc.state, s, s.ServerBusy(), s.Snapshottable())
		}
	}
}
