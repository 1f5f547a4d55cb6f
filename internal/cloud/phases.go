package cloud

import "strings"

// GlancePhase normalises an image status in Glance's words, which Glance
// v2, Huawei IMS and Samsung's image API all use (SCP adds "error").
// Statuses not known here are pending: only known failures are final, and
// spec.timeout bounds the wait.
func GlancePhase(status string) ImagePhase {
	switch strings.ToLower(strings.TrimSpace(status)) {
	case "active":
		return PhaseActive
	case "queued":
		return PhaseQueued
	case "deleted":
		return PhaseDeleted
	case "killed", "pending_delete", "deactivated", "error":
		return PhaseFailed
	}
	return PhasePending
}

// NovaImagePhase normalises an image status in the words of Nova's images
// API (ACTIVE, SAVING, ERROR, DELETED, UNKNOWN), which Rackspace's Cloud
// Servers also uses. The API shows UNKNOWN for image-service states it has
// no name for (an upload still in flight among them), so it is pending
// like any status not known here.
func NovaImagePhase(status string) ImagePhase {
	switch strings.ToUpper(strings.TrimSpace(status)) {
	case "ACTIVE":
		return PhaseActive
	case "DELETED":
		return PhaseDeleted
	case "ERROR":
		return PhaseFailed
	}
	return PhasePending
}
