package cloud

import "strings"

// The image statuses of the two families of image API the drivers meet,
// and what each means. A status not listed is pending: only known
// failures are final, and spec.timeout bounds the wait.
var (
	// glancePhases are Glance's words, which Glance v2, Huawei IMS and
	// Samsung's image API all use (SCP adds "error").
	glancePhases = map[string]ImagePhase{
		"active": PhaseActive, "queued": PhaseQueued, "deleted": PhaseDeleted,
		"killed": PhaseFailed, "pending_delete": PhaseFailed, "deactivated": PhaseFailed, "error": PhaseFailed,
	}
	// novaImagePhases are the words of Nova's images API (ACTIVE, SAVING,
	// ERROR, DELETED, UNKNOWN), which Rackspace's Cloud Servers also uses.
	// The API shows UNKNOWN for image-service states it has no name for
	// (an upload still in flight among them), so it is pending.
	novaImagePhases = map[string]ImagePhase{"active": PhaseActive, "deleted": PhaseDeleted, "error": PhaseFailed}
)

// GlancePhase normalises an image status in Glance's words.
func GlancePhase(status string) ImagePhase { return phaseIn(glancePhases, status) }

// NovaImagePhase normalises an image status in the words of Nova's images
// API.
func NovaImagePhase(status string) ImagePhase { return phaseIn(novaImagePhases, status) }

func phaseIn(table map[string]ImagePhase, status string) ImagePhase {
	if p, ok := table[strings.ToLower(strings.TrimSpace(status))]; ok {
		return p
	}
	return PhasePending
}
