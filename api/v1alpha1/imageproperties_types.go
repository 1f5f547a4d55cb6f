package v1alpha1

import metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

// ImageVisibility is who may see an image, normalised across clouds.
// `public` is left out on purpose: every cloud reserves it to its
// administrators (Glance answers 403 to anyone else).
// +kubebuilder:validation:XValidation:rule="self != 'public'",message="visibility public is reserved to cloud administrators (Glance answers 403): use shared with spec.sharing, or community"
// +kubebuilder:validation:XValidation:rule="self == 'public' || self in ['private', 'shared', 'community']",message="visibility must be private, shared or community"
type ImageVisibility string

const (
	VisibilityPrivate   ImageVisibility = "private"
	VisibilityShared    ImageVisibility = "shared"
	VisibilityCommunity ImageVisibility = "community"
)

// ImageTag is one image tag (Glance allows 255 characters).
// +kubebuilder:validation:MinLength=1
// +kubebuilder:validation:MaxLength=255
type ImageTag string

// ImageProperties are the properties of an image after it exists: unlike
// the name and metadata they may be changed at any time, and the operator
// keeps the cloud in line with them (re-applied on a change, put back on
// the drift check). An object that sets none of them costs no cloud call
// for them.
type ImageProperties struct {
	// Tags the operator puts on the image. Tags added in the cloud by
	// someone else are left alone; a tag removed from this list is removed
	// from the image only if the operator added it (status.properties.ownedTags).
	// +optional
	// +listType=set
	// +kubebuilder:validation:MaxItems=128
	Tags []ImageTag `json:"tags,omitempty"`

	// Visibility of the image: private, shared (needed for spec.sharing
	// where the cloud has it) or community. Unset leaves the cloud's value
	// alone, except that spec.sharing makes it shared where the cloud
	// needs that.
	// +optional
	Visibility ImageVisibility `json:"visibility,omitempty"`

	// Protected images cannot be deleted until unprotected. With
	// deletionPolicy Delete the operator unprotects the image itself
	// before deleting it. Unset leaves the cloud's value alone; false
	// unprotects.
	// +optional
	Protected *bool `json:"protected,omitempty"`

	// Sharing lists the projects (accounts on Samsung Cloud Platform) the
	// image is shared with. A consumer removed from the list is removed as
	// a member, if the operator added it.
	// +optional
	// +listType=map
	// +listMapKey=project
	// +kubebuilder:validation:MaxItems=128
	Sharing []ImageConsumer `json:"sharing,omitempty"`
}

// ImageConsumer is one project or account an image is shared with.
type ImageConsumer struct {
	// Project is the consumer's project ID (account ID on Samsung Cloud
	// Platform).
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=64
	// +kubebuilder:validation:XValidation:rule="self.matches('^[A-Za-z0-9_-]+$')",message="sharing.project is a project or account ID: letters, digits, '-' and '_'"
	Project string `json:"project"`

	// CloudRef names a Cloud holding the consumer's credentials: the
	// operator then accepts the share on the consumer's side too. Without
	// it the consumer accepts (or uses the image by ID) on its own.
	// +optional
	CloudRef *ConsumerCloudReference `json:"cloudRef,omitempty"`
}

// ConsumerCloudReference names the Cloud that holds a consumer's
// credentials.
type ConsumerCloudReference struct {
	// Kind of the referenced object: Cloud (same namespace, the default).
	// +optional
	// +kubebuilder:validation:Enum=Cloud
	Kind string `json:"kind,omitempty"`
	// Name of the Cloud.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=253
	Name string `json:"name"`
}

// MemberStatus is a consumer's answer to a share, normalised across clouds.
type MemberStatus string

const (
	MemberPending  MemberStatus = "pending"
	MemberAccepted MemberStatus = "accepted"
	MemberRejected MemberStatus = "rejected"
)

// ImagePropertiesStatus is what the cloud reports of the image's
// properties, and what of it the operator added.
type ImagePropertiesStatus struct {
	// ObservedGeneration is the generation last applied in full.
	// +optional
	ObservedGeneration int64 `json:"observedGeneration,omitempty"`
	// Tags on the image, as the cloud reports them.
	// +optional
	Tags []string `json:"tags,omitempty"`
	// Visibility of the image, as the cloud reports it.
	// +optional
	Visibility string `json:"visibility,omitempty"`
	// Protected, as the cloud reports it.
	// +optional
	Protected *bool `json:"protected,omitempty"`
	// Members of the image with their status in the cloud.
	// +optional
	Members []ImageMemberStatus `json:"members,omitempty"`
	// OwnedTags are the tags the operator added (or is adding): the only
	// ones it ever removes.
	// +optional
	OwnedTags []string `json:"ownedTags,omitempty"`
	// OwnedProtected: the operator protected the image, so it unprotects
	// it when spec.protected is removed (and before deletionPolicy Delete).
	// +optional
	OwnedProtected bool `json:"ownedProtected,omitempty"`
	// OwnedVisibility: the operator changed the visibility, so it makes the
	// image private again when spec.visibility and spec.sharing are removed.
	// +optional
	OwnedVisibility bool `json:"ownedVisibility,omitempty"`
	// OwnedMembers are the members the operator added (or is adding): the
	// only ones it ever removes.
	// +optional
	OwnedMembers []string `json:"ownedMembers,omitempty"`
	// AppliedTime is when the operator last changed the image; reads
	// older than it are not trusted to show the change.
	// +optional
	AppliedTime *metav1.Time `json:"appliedTime,omitempty"`
	// LastMembersCheckTime is when the members were last listed.
	// +optional
	LastMembersCheckTime *metav1.Time `json:"lastMembersCheckTime,omitempty"`
	// MemberJobs are member changes the cloud runs as jobs (Huawei IMS)
	// not yet seen to end; the poller reads them on the Cloud's poll
	// interval.
	// +optional
	MemberJobs []ImageMemberJob `json:"memberJobs,omitempty"`
}

// ImageMemberJob is one member change running as a job in the cloud.
type ImageMemberJob struct {
	// ID of the job in the cloud.
	ID string `json:"id"`
	// Project the job adds or removes.
	Project string `json:"project"`
	// Action: add or remove.
	// +kubebuilder:validation:Enum=add;remove
	Action string `json:"action"`
}

// ImageMemberStatus is one member of an image.
type ImageMemberStatus struct {
	// Project (account) ID of the member.
	Project string `json:"project"`
	// Status of the share as the cloud reports it: pending, accepted or
	// rejected.
	// +optional
	Status MemberStatus `json:"status,omitempty"`
}

// Reasons of the image-property and sharing steps.
const (
	// ReasonUnsupportedImageProperty: the spec sets an image property the
	// Cloud's provider cannot keep; refused before any cloud call.
	ReasonUnsupportedImageProperty = "UnsupportedImageProperty"
	// ReasonPropertiesFailed: the cloud refused to change the image's tags,
	// visibility, protection or members; retried.
	ReasonPropertiesFailed = "PropertiesFailed"
	// ReasonShareNotAccepted: the consumer's Cloud could not accept the
	// share; retried.
	ReasonShareNotAccepted = "ShareNotAccepted"
)
