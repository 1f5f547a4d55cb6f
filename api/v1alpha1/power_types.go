package v1alpha1

import metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

// Consistency says how still the server's disk is while it is imaged.
// +kubebuilder:validation:Enum=CrashConsistent;Stopped
type Consistency string

const (
	// ConsistencyCrashConsistent images the server as it runs, as if its
	// power had been cut (the default).
	ConsistencyCrashConsistent Consistency = "CrashConsistent"
	// ConsistencyStopped stops a running server, images it, and starts it
	// again as soon as the cloud accepts a start.
	ConsistencyStopped Consistency = "Stopped"
)

// ServerImagePhase is the one-word progress shown by kubectl get.
type ServerImagePhase string

const (
	PhasePending   ServerImagePhase = "Pending"
	PhaseStopping  ServerImagePhase = "Stopping"
	PhaseCapturing ServerImagePhase = "Capturing"
	PhaseUploading ServerImagePhase = "Uploading"
	PhaseStarting  ServerImagePhase = "Starting"
	PhaseReady     ServerImagePhase = "Ready"
	PhaseFailed    ServerImagePhase = "Failed"
	PhaseDeleting  ServerImagePhase = "Deleting"
)

// PowerState is where the operator's stop-image-start of a server is.
type PowerState string

const (
	// PowerStopping: the stop intent is recorded; the stop is sent, or
	// about to be. The server is owed a start from here on.
	PowerStopping PowerState = "Stopping"
	// PowerStopped: the server was seen stopped; the image is taken.
	PowerStopped PowerState = "Stopped"
	// PowerStarting: the start was sent; waiting to see the server run.
	PowerStarting PowerState = "Starting"
	// PowerStarted: the operator's start brought the server back.
	PowerStarted PowerState = "Started"
	// PowerStartedElsewhere: someone else started the server while the
	// operator held it stopped; the operator neither stops nor starts it
	// again.
	PowerStartedElsewhere PowerState = "StartedElsewhere"
	// PowerNotStopped: the stop did not complete within its bound; no
	// image was taken and the server was left as it was.
	PowerNotStopped PowerState = "NotStopped"
	// PowerAsFound: the server was not running when the object came; the
	// operator never stops nor starts it.
	PowerAsFound PowerState = "AsFound"
)

// ServerPowerStatus is the record of a stop-image-start.
type ServerPowerStatus struct {
	// State of the cycle.
	State PowerState `json:"state"`
	// WasRunning: the server was running when first read; only then is it
	// stopped, and started again.
	WasRunning bool `json:"wasRunning"`
	// StoppedBy says who stopped the server and for what.
	// +optional
	StoppedBy string `json:"stoppedBy,omitempty"`
	// VolumeBacked: the server boots from a volume (a start is accepted
	// right after the image request on Nova).
	// +optional
	VolumeBacked bool `json:"volumeBacked,omitempty"`
	// StopRequestedTime is when the stop intent was recorded, before the
	// stop was sent.
	// +optional
	StopRequestedTime *metav1.Time `json:"stopRequestedTime,omitempty"`
	// StoppedTime is when the server was first seen stopped.
	// +optional
	StoppedTime *metav1.Time `json:"stoppedTime,omitempty"`
	// StartRequestedTime is when the start was first sent.
	// +optional
	StartRequestedTime *metav1.Time `json:"startRequestedTime,omitempty"`
	// StartedTime is when the server was seen running again.
	// +optional
	StartedTime *metav1.Time `json:"startedTime,omitempty"`
	// Downtime is from the stop request until the server was seen running
	// again.
	// +optional
	Downtime *metav1.Duration `json:"downtime,omitempty"`
}

// Owed reports whether the server may be down because of this object and
// must be started before the object lets go of it.
func (p *ServerPowerStatus) Owed() bool {
	if p == nil {
		return false
	}
	switch p.State {
	case PowerStopping, PowerStopped, PowerStarting:
		return true
	}
	return false
}

// Condition types and reasons of the power and capture feature.
const (
	// ConditionCaptured is True once the server's disk is captured; the
	// image may still be uploading. kubectl wait --for=condition=Captured
	// ends an application freeze as early as the cloud allows.
	ConditionCaptured = "Captured"
	// ConditionServerStopped is True while the server is down because of
	// this object, with what is being done to start it.
	ConditionServerStopped = "ServerStopped"

	// ReasonDiskCaptured: the Captured condition's reason; the message
	// names the signal.
	ReasonDiskCaptured = "DiskCaptured"
	// ReasonStoppingServer: the server is being stopped for the image.
	ReasonStoppingServer = "StoppingServer"
	// ReasonStartingServer: the image no longer needs the server stopped;
	// it is being started.
	ReasonStartingServer = "StartingServer"
	// ReasonServerStillStopped: starting the server failed (credentials,
	// the cloud); the operator keeps trying.
	ReasonServerStillStopped = "ServerStillStopped"
	// ReasonServerStartedElsewhere: someone else started the server while
	// the operator held it stopped.
	ReasonServerStartedElsewhere = "ServerStartedElsewhere"
	// ReasonStopTimeout: the server did not stop within the bound; no
	// image was taken.
	ReasonStopTimeout = "StopTimeout"
	// ReasonWaitingForServer: another ServerImage holds the server for a
	// stop-image-start; this one waits its turn.
	ReasonWaitingForServer = "WaitingForServer"
)
