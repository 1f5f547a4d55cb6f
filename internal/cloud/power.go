package cloud

import (
	"context"
	"net/http"
	"strings"
)

// Operation names of the power calls (errors, metrics, conditions).
const (
	OpStopServer  = "stopServer"
	OpStartServer = "startServer"
)

// ServerPower stops and starts servers, for images taken of a stopped
// server. Both calls only ask: the cloud answers before the server has
// changed state, and GetServer tells when it has. A server already in the
// asked-for state answers an error of class Conflict (Nova's 409 naming
// the vm_state); one busy with a task (a snapshot upload among them)
// answers class Busy, retried once the task ends.
type ServerPower interface {
	StopServer(ctx context.Context, id string) error
	StartServer(ctx context.Context, id string) error
}

// PowerState is a server's power normalised across providers.
type PowerState string

const (
	// PowerRunning: ACTIVE, the guest is up.
	PowerRunning PowerState = "Running"
	// PowerStopped: SHUTOFF (STOPPED on some fronts), the guest is down
	// and its disks are still.
	PowerStopped PowerState = "Stopped"
	// PowerOther: any other state (building, error, paused, a transition
	// the cloud names only by its status).
	PowerOther PowerState = "Other"
)

// SnapshotStage is how far a snapshot of the server has got, where the
// cloud reports it on the server (Nova's task_state); StageNone where it
// does not or no snapshot runs.
type SnapshotStage string

const (
	StageNone SnapshotStage = ""
	// StageCapturing: the disk is being captured (image_snapshot_pending,
	// image_snapshot; on Nova also image_pending_upload, which libvirt
	// sets both before and after the capture).
	StageCapturing SnapshotStage = "Capturing"
	// StageUploading: the data is being uploaded (image_uploading; on
	// Rackspace also image_pending_upload, which it documents as "finished
	// taking the snapshot"). On Nova alone it is not yet proof of a capture
	// (an RBD direct snapshot captures during it).
	StageUploading SnapshotStage = "Uploading"
)

// CaptureSignal is the earliest moment, short of the image turning active,
// at which a cloud shows that the disk has been captured.
type CaptureSignal string

const (
	// CaptureAtUpload: the image reads Pending (Glance's saving), which
	// only follows the capture; also a server whose snapshot task cleared.
	// Nova-family clouds read through Glance.
	CaptureAtUpload CaptureSignal = "ImageSaving"
	// CaptureAtServerUpload: the server's snapshot stage reads Uploading
	// (Rackspace's image_pending_upload and image_uploading).
	CaptureAtServerUpload CaptureSignal = "ServerUploading"
	// CaptureAtActive: no earlier signal than the image being active.
	CaptureAtActive CaptureSignal = "ImageActive"
)

// StartAfter is when a cloud accepts a start of a server stopped for an
// image of it.
type StartAfter string

const (
	// StartAcceptedImmediately: right after createImage's 202 (Nova's
	// volume-backed servers: the API snapshots the volumes inside the
	// request and sets no task).
	StartAcceptedImmediately StartAfter = "AcceptedImmediately"
	// StartAfterTaskClears: once the server's snapshot task has cleared
	// (Nova refuses os-start with 409 while a task_state is set: until the
	// upload ends).
	StartAfterTaskClears StartAfter = "AfterTaskClears"
	// StartAfterActive: once the image is active (or failed): clouds that
	// say nothing of the server's task while imaging, or warn against
	// starting meanwhile (Huawei's full-ECS images).
	StartAfterActive StartAfter = "AfterActive"
)

// PowerCapabilities describes the capture signal and the start rule.
type PowerCapabilities struct {
	Capture    CaptureSignal
	StartAfter StartAfter
	// VolumeBackedStartsAtOnce: a volume-backed server (Server.VolumeBacked)
	// is captured at the 202 and may start right after it.
	VolumeBackedStartsAtOnce bool
}

// StartRule is when a start is accepted for srv.
func (c PowerCapabilities) StartRule(srv *Server) StartAfter {
	if c.VolumeBackedStartsAtOnce && srv != nil && srv.VolumeBacked {
		return StartAcceptedImmediately
	}
	return c.StartAfter
}

// NovaPower is the power of a server described the Nova way: status
// ACTIVE or SHUTOFF (ECS's STOPPED), and whether a snapshot task runs.
// uploadCaptured says the cloud documents image_pending_upload as after
// the capture (Rackspace).
func NovaPower(status, taskState string, uploadCaptured bool) (PowerState, SnapshotStage) {
	power := PowerOther
	switch strings.ToUpper(status) {
	case "ACTIVE":
		power = PowerRunning
	case "SHUTOFF", "STOPPED":
		power = PowerStopped
	}
	stage := StageNone
	switch taskState {
	case "image_snapshot_pending", "image_snapshot":
		stage = StageCapturing
	case "image_pending_upload":
		stage = StageCapturing
		if uploadCaptured {
			stage = StageUploading
		}
	case "image_uploading":
		stage = StageUploading
	}
	return power, stage
}

// NovaPowerAction names the Nova-style server action of a start or a stop
// (os-start, os-stop) and the operation it is counted as.
func NovaPowerAction(start bool) (op, action string) {
	if start {
		return OpStartServer, "os-start"
	}
	return OpStopServer, "os-stop"
}

// mentionsTaskState: seed 002's cloud answers a wrong task state with 400
// "task_state is invalid" where Nova answers 409: the server is busy, not
// the request wrong.
func mentionsTaskState(status int, message string) bool {
	return status == http.StatusBadRequest && strings.Contains(strings.ToLower(message), "task_state")
}

// setPower fills the power fields of a server read the Nova way. A server
// booted from a volume shows "image": "" (Nova's API reference), one
// booted from an image an object.
func (b NovaServerBody) setPower(s *Server, task string) {
	s.Power, s.Snapshot = NovaPower(b.Server.Status, task, false)
	img := strings.TrimSpace(string(b.Server.Image))
	s.VolumeBacked = img == `""`
}
