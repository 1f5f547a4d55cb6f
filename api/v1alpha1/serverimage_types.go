package v1alpha1

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// DeletionPolicy says what happens to the cloud image when its ServerImage
// is deleted.
// +kubebuilder:validation:Enum=Retain;Delete
type DeletionPolicy string

const (
	// DeletionPolicyRetain keeps the cloud image (the default).
	DeletionPolicyRetain DeletionPolicy = "Retain"
	// DeletionPolicyDelete deletes the cloud image and waits until it is
	// gone before the object goes away.
	DeletionPolicyDelete DeletionPolicy = "Delete"
)

// CloudReference names a Cloud in the ServerImage's namespace, or a
// ClusterCloud that allows the namespace.
type CloudReference struct {
	// Name of the Cloud.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=253
	Name string `json:"name"`
	// Kind is Cloud (when unset) or ClusterCloud.
	// +optional
	// +kubebuilder:validation:Enum=Cloud;ClusterCloud
	Kind string `json:"kind,omitempty"`
}

// ImageImport adopts an image that already exists instead of creating one.
type ImageImport struct {
	// ImageID is the cloud's ID of the image to adopt.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=255
	// +kubebuilder:validation:XValidation:rule="!self.contains('/')",message="import.imageID is an image ID, not a URL or path"
	ImageID string `json:"imageID"`
}

// MetadataValue is one image metadata value (Nova allows at most 255
// characters).
// +kubebuilder:validation:MaxLength=255
type MetadataValue string

// ServerImageSpec is the image the user wants.
//
// Defaults are applied by the operator at runtime, not written into the
// object: what a GitOps tool applied is exactly what it reads back.
//
// +kubebuilder:validation:XValidation:rule="has(self.serverID) != has(self.__import__)",message="exactly one of serverID (create an image of a server) or import.imageID (adopt an existing image) must be set"
// +kubebuilder:validation:XValidation:rule="has(self.serverID) == has(oldSelf.serverID)",message="serverID cannot be added or removed after creation"
// +kubebuilder:validation:XValidation:rule="has(self.__import__) == has(oldSelf.__import__)",message="import cannot be added or removed after creation"
// +kubebuilder:validation:XValidation:rule="has(self.imageName) == has(oldSelf.imageName)",message="imageName cannot be added or removed after creation"
// +kubebuilder:validation:XValidation:rule="has(self.metadata) == has(oldSelf.metadata)",message="metadata cannot be added or removed after creation"
// +kubebuilder:validation:XValidation:rule="has(self.consistency) == has(oldSelf.consistency)",message="consistency cannot be added or removed after creation"
// +kubebuilder:validation:XValidation:rule="!has(self.consistency) || self.consistency != 'Stopped' || has(self.serverID)",message="consistency Stopped needs serverID: an imported image has no server to stop"
// +kubebuilder:validation:XValidation:rule="!has(self.sharing) || size(self.sharing) == 0 || !has(self.visibility) || self.visibility == 'shared'",message="spec.sharing needs visibility shared (or unset, and the operator makes it shared where the cloud needs it)"
type ServerImageSpec struct {
	// CloudRef names the Cloud (same namespace) to use. Immutable.
	// +kubebuilder:validation:XValidation:rule="self == oldSelf",message="cloudRef is immutable: create a new ServerImage for another Cloud"
	CloudRef CloudReference `json:"cloudRef"`

	// ServerID is the ID (a UUID) of the server to snapshot. Immutable.
	// +optional
	// +kubebuilder:validation:MaxLength=36
	// +kubebuilder:validation:XValidation:rule="self.matches('^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$')",message="serverID must be a server UUID such as 2a9be312-5d4b-4bc8-b2ae-35100fa9241f"
	// +kubebuilder:validation:XValidation:rule="self == oldSelf",message="serverID is immutable: create a new ServerImage for another server"
	ServerID string `json:"serverID,omitempty"`

	// ImageName is the name of the image in the cloud (the object's name
	// when unset). Immutable.
	// +optional
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=255
	// +kubebuilder:validation:XValidation:rule="!self.matches('^\\\\s') && !self.matches('\\\\s$')",message="imageName must not start or end with whitespace"
	// +kubebuilder:validation:XValidation:rule="self == oldSelf",message="imageName is immutable"
	ImageName string `json:"imageName,omitempty"`

	// Metadata is added to the image's properties (at most 128 entries;
	// keys of letters, digits, '-', '_', ':', '.', ' ', up to 255
	// characters; values up to 255 characters). Immutable.
	// +optional
	// +kubebuilder:validation:MaxProperties=128
	// +kubebuilder:validation:XValidation:rule="self.all(k, k.matches('^[a-zA-Z0-9-_:. ]{1,255}$'))",message="metadata keys must be 1-255 characters of letters, digits, '-', '_', ':', '.' or space (no '/')"
	// +kubebuilder:validation:XValidation:rule="!('serverimage_uid' in self)",message="metadata key serverimage_uid is reserved: the operator uses it to find its images again"
	// +kubebuilder:validation:XValidation:rule="self == oldSelf",message="metadata is immutable: it is written into the image when it is created"
	Metadata map[string]MetadataValue `json:"metadata,omitempty"`

	// Import adopts an existing image instead of creating one. Immutable.
	// +optional
	// +kubebuilder:validation:XValidation:rule="self == oldSelf",message="import is immutable"
	Import *ImageImport `json:"import,omitempty"`

	// DeletionPolicy: Retain (default) keeps the cloud image when this
	// object is deleted; Delete removes it.
	// +optional
	DeletionPolicy DeletionPolicy `json:"deletionPolicy,omitempty"`

	// Timeout is how long the image may take to become active before the
	// ServerImage is marked Stalled (1h when unset).
	// +optional
	Timeout *metav1.Duration `json:"timeout,omitempty"`

	// Consistency: CrashConsistent (default) images the server as it runs;
	// Stopped stops a running server first and starts it again at the
	// earliest moment the cloud accepts a start (a server already stopped
	// is never started). Immutable.
	// +optional
	// +kubebuilder:validation:XValidation:rule="self == oldSelf",message="consistency is immutable"
	Consistency Consistency `json:"consistency,omitempty"`

	ImageProperties `json:",inline"`
}

// ServerImageStatus is what the operator observed.
type ServerImageStatus struct {
	// ObservedGeneration is the generation the status was computed for.
	// +optional
	ObservedGeneration int64 `json:"observedGeneration,omitempty"`

	// ImageID is the cloud's image ID, recorded as soon as the cloud
	// returns it.
	// +optional
	ImageID string `json:"imageID,omitempty"`

	// ImageName is the name the image was requested with.
	// +optional
	ImageName string `json:"imageName,omitempty"`

	// ImageStatus is the cloud's own status string for the image.
	// +optional
	ImageStatus string `json:"imageStatus,omitempty"`

	// Progress in percent, where the cloud reports it.
	// +optional
	Progress *int32 `json:"progress,omitempty"`

	// ImageURL links to the image where the cloud returns one.
	// +optional
	ImageURL string `json:"imageURL,omitempty"`

	// SizeBytes of the image, once the cloud reports it.
	// +optional
	SizeBytes *int64 `json:"sizeBytes,omitempty"`

	// Checksum of the image data, once the cloud reports it.
	// +optional
	Checksum string `json:"checksum,omitempty"`

	// CreateRequestedTime is when createImage was first requested.
	// +optional
	CreateRequestedTime *metav1.Time `json:"createRequestedTime,omitempty"`

	// ActivatedTime is when the image was first seen active.
	// +optional
	ActivatedTime *metav1.Time `json:"activatedTime,omitempty"`

	// LastCheckedTime is when the image was last read from the cloud.
	// +optional
	LastCheckedTime *metav1.Time `json:"lastCheckedTime,omitempty"`

	// VolumeSnapshots are the block-storage snapshots the image holds: an
	// image of a volume-backed server is only a list of snapshots, one per
	// volume of the server. They are recorded when the image becomes
	// active (or is imported); the object is Ready only once all of them
	// are available, and deletionPolicy Delete deletes them after the
	// image, from this record (so also when the image was deleted by
	// hand). Empty for other images, and on clouds that do not name them
	// (docs/providers).
	// +optional
	// +listType=map
	// +listMapKey=id
	VolumeSnapshots []VolumeSnapshotStatus `json:"volumeSnapshots,omitempty"`

	// Properties are the image's tags, visibility, protection and members
	// as the cloud reports them, when the spec sets any of them.
	// +optional
	Properties *ImagePropertiesStatus `json:"properties,omitempty"`

	// Conditions: Ready, Reconciling, Stalled, Captured, ServerStopped.
	// +optional
	// +listType=map
	// +listMapKey=type
	Conditions []metav1.Condition `json:"conditions,omitempty"`

	// Progress and power (spec.consistency, the Captured condition).

	// Phase sums the object up for kubectl get: Pending, Stopping,
	// Capturing, Uploading, Starting, Ready, Failed or Deleting.
	// +optional
	Phase ServerImagePhase `json:"phase,omitempty"`
	// CapturedAt is when the disk was first seen captured (the Captured
	// condition says by which signal): from then on the server's data no
	// longer matters to the image.
	// +optional
	CapturedAt *metav1.Time `json:"capturedAt,omitempty"`
	// Power records the operator's stop of the server (consistency
	// Stopped), written before the stop is sent, so that any later pass,
	// replica or version starts the server again.
	// +optional
	Power *ServerPowerStatus `json:"power,omitempty"`
}

// ServerImage is one image of one cloud server.
// +kubebuilder:object:root=true
// +kubebuilder:subresource:status
// +kubebuilder:resource:shortName=si,categories=serverimage-operator
// +kubebuilder:printcolumn:name="Cloud",type=string,JSONPath=`.spec.cloudRef.name`
// +kubebuilder:printcolumn:name="Server",type=string,JSONPath=`.spec.serverID`
// +kubebuilder:printcolumn:name="Image ID",type=string,JSONPath=`.status.imageID`
// +kubebuilder:printcolumn:name="Image Status",type=string,JSONPath=`.status.imageStatus`
// +kubebuilder:printcolumn:name="Phase",type=string,JSONPath=`.status.phase`
// +kubebuilder:printcolumn:name="Ready",type=string,JSONPath=`.status.conditions[?(@.type=="Ready")].status`
// +kubebuilder:printcolumn:name="Reason",type=string,JSONPath=`.status.conditions[?(@.type=="Ready")].reason`,priority=1
// +kubebuilder:printcolumn:name="Age",type=date,JSONPath=`.metadata.creationTimestamp`
type ServerImage struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	Spec   ServerImageSpec   `json:"spec,omitempty"`
	Status ServerImageStatus `json:"status,omitempty"`
}

// ServerImageList is a list of ServerImages.
// +kubebuilder:object:root=true
type ServerImageList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []ServerImage `json:"items"`
}

func init() {
	SchemeBuilder.Register(&ServerImage{}, &ServerImageList{})
}
