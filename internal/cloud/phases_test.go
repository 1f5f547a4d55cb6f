package cloud

import "testing"

func TestGlancePhase(t *testing.T) {
	for status, want := range map[string]ImagePhase{
		"queued": PhaseQueued, "saving": PhasePending, "importing": PhasePending, "active": PhaseActive, "ACTIVE": PhaseActive,
		"killed": PhaseFailed, "pending_delete": PhaseFailed, "deactivated": PhaseFailed, "error": PhaseFailed,
		"deleted": PhaseDeleted, "something-new": PhasePending, "": PhasePending,
	} {
		if got := GlancePhase(status); got != want {
			t.Errorf("GlancePhase(%q) = %s, want %s", status, got, want)
		}
	}
}

func TestNovaImagePhase(t *testing.T) {
	for status, want := range map[string]ImagePhase{
		"SAVING": PhasePending, "UNKNOWN": PhasePending, "ACTIVE": PhaseActive, "active": PhaseActive,
		"ERROR": PhaseFailed, "DELETED": PhaseDeleted, "NEW": PhasePending,
	} {
		if got := NovaImagePhase(status); got != want {
			t.Errorf("NovaImagePhase(%q) = %s, want %s", status, got, want)
		}
	}
}

func TestNovaServer(t *testing.T) {
	for _, tc := range []struct {
		status, task string
		want         ServerReadiness
	}{
		{"ACTIVE", "", ServerIdle},
		{"SHUTOFF", "", ServerIdle},
		{"STOPPED", "", ServerIdle},
		{"PAUSED", "", ServerIdle},
		{"SUSPENDED", "", ServerIdle},
		{"ACTIVE", "image_uploading", ServerBusy},
		{"SHUTOFF", "powering-on", ServerBusy},
		{"ERROR", "", ServerCannotBeImaged},
		{"BUILD", "", ServerCannotBeImaged},
		{"SHELVED_OFFLOADED", "", ServerCannotBeImaged},
	} {
		s := NovaServer("s1", tc.status, tc.task)
		if s.Readiness != tc.want {
			t.Errorf("%s/%q: readiness %s, want %s", tc.status, tc.task, s.Readiness, tc.want)
		}
		if tc.task != "" && s.Status != tc.status+" (task_state "+tc.task+")" {
			t.Errorf("status %q does not name the task", s.Status)
		}
	}
}
