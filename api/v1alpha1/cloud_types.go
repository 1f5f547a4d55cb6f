package v1alpha1

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// CloudProvider names a cloud API family.
// +kubebuilder:validation:Enum=OpenStack;Rackspace;HuaweiCloud;SamsungCloudPlatform
type CloudProvider string

const (
	ProviderOpenStack            CloudProvider = "OpenStack"
	ProviderRackspace            CloudProvider = "Rackspace"
	ProviderHuaweiCloud          CloudProvider = "HuaweiCloud"
	ProviderSamsungCloudPlatform CloudProvider = "SamsungCloudPlatform"
)

// SecretReference names a Secret in the Cloud's namespace.
type SecretReference struct {
	// Name of the Secret.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=253
	Name string `json:"name"`
}

// CloudEndpoints overrides endpoints that would otherwise come from the
// service catalog or the region.
type CloudEndpoints struct {
	// Identity is the authentication URL (Keystone auth_url, Rackspace
	// identity, Huawei IAM, SCP IAM).
	// +optional
	// +kubebuilder:validation:Pattern=`^https?://`
	Identity string `json:"identity,omitempty"`
	// Compute is the compute API base URL (Nova, ECS, SCP virtual server).
	// +optional
	// +kubebuilder:validation:Pattern=`^https?://`
	Compute string `json:"compute,omitempty"`
	// Image is the image API base URL (Glance, IMS).
	// +optional
	// +kubebuilder:validation:Pattern=`^https?://`
	Image string `json:"image,omitempty"`
}

// RateLimit bounds the requests the operator sends to one Cloud.
type RateLimit struct {
	// RequestsPerSecond is the sustained rate, shared by all ServerImages
	// of this Cloud. Written as a decimal string, e.g. "1.5".
	// +kubebuilder:validation:Pattern=`^[0-9]+(\.[0-9]+)?$`
	RequestsPerSecond string `json:"requestsPerSecond"`
	// Burst is how many requests may go out at once above the rate.
	// +optional
	// +kubebuilder:validation:Minimum=1
	// +kubebuilder:validation:Maximum=1000
	Burst int32 `json:"burst,omitempty"`
}

// ImagePollAPI selects where image status is read on OpenStack-family clouds.
// +kubebuilder:validation:Enum=Glance;ComputeImages
type ImagePollAPI string

// SamsungCloudPlatformSettings are settings only Samsung Cloud Platform has.
type SamsungCloudPlatformSettings struct {
	// APIVersion is the Virtual Server API version sent in Scp-Api-Version
	// ("1.3" when unset). 1.0 and 1.1 are deprecated: the Cloud warns.
	// +optional
	// +kubebuilder:validation:Pattern=`^(virtualserver )?[0-9]+\.[0-9]+$`
	APIVersion string `json:"apiVersion,omitempty"`
	// Environment is the environment part of the endpoint host
	// virtualserver.{region}.{environment}.samsungsdscloud.com ("e" when
	// unset).
	// +optional
	// +kubebuilder:validation:Enum=s;g;e
	Environment string `json:"environment,omitempty"`
}

// CloudSpec is one connection to one cloud account.
// +kubebuilder:validation:XValidation:rule="self.provider != 'OpenStack' || has(self.cloudName)",message="cloudName is required for provider OpenStack: it names the entry of clouds.yaml in the Secret"
type CloudSpec struct {
	// Provider is the cloud API family.
	Provider CloudProvider `json:"provider"`

	// CredentialsSecretRef names the Secret holding the credentials.
	// OpenStack: key clouds.yaml (and optionally cacert).
	CredentialsSecretRef SecretReference `json:"credentialsSecretRef"`

	// CloudName is the entry of clouds.yaml to use (OpenStack).
	// +optional
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=255
	CloudName string `json:"cloudName,omitempty"`

	// Region overrides the region of the credentials.
	// +optional
	// +kubebuilder:validation:MaxLength=255
	Region string `json:"region,omitempty"`

	// Interface is the service catalog interface to use (public when unset).
	// +optional
	// +kubebuilder:validation:Enum=public;internal;admin
	Interface string `json:"interface,omitempty"`

	// ProjectID is the project (tenant) ID where the API needs it in paths.
	// +optional
	// +kubebuilder:validation:MaxLength=255
	ProjectID string `json:"projectID,omitempty"`

	// Endpoints overrides catalog or region-derived endpoints.
	// +optional
	Endpoints *CloudEndpoints `json:"endpoints,omitempty"`

	// ComputeMicroversion pins the Nova microversion, e.g. "2.1" for clouds
	// that misbehave with newer ones. Negotiated when unset.
	// +optional
	// +kubebuilder:validation:Pattern=`^2\.[0-9]+$`
	ComputeMicroversion string `json:"computeMicroversion,omitempty"`

	// ImagePollAPI is where image status is read: Glance (default) or the
	// compute API's images proxy (ComputeImages), for clouds without Glance.
	// +optional
	ImagePollAPI ImagePollAPI `json:"imagePollAPI,omitempty"`

	// PollInterval is how often in-flight images are checked (5s when
	// unset).
	// +optional
	PollInterval *metav1.Duration `json:"pollInterval,omitempty"`

	// RateLimit bounds requests to this cloud (unlimited when unset).
	// +optional
	RateLimit *RateLimit `json:"rateLimit,omitempty"`

	// SamsungCloudPlatform holds settings for provider SamsungCloudPlatform.
	// +optional
	SamsungCloudPlatform *SamsungCloudPlatformSettings `json:"samsungCloudPlatform,omitempty"`

	// InsecureSkipTLSVerify turns off certificate verification. Only for
	// test clouds; the Cloud reports a warning condition while it is set.
	// +optional
	InsecureSkipTLSVerify bool `json:"insecureSkipTLSVerify,omitempty"`
}

// CloudStatus is the observed state of a Cloud.
type CloudStatus struct {
	// ObservedGeneration is the generation the status was computed for.
	// +optional
	ObservedGeneration int64 `json:"observedGeneration,omitempty"`

	// ComputeMicroversion is the microversion in use, once known.
	// +optional
	ComputeMicroversion string `json:"computeMicroversion,omitempty"`

	// LastAuthenticatedTime is when the credentials were last accepted.
	// +optional
	LastAuthenticatedTime *metav1.Time `json:"lastAuthenticatedTime,omitempty"`

	// Conditions: Ready (credentials accepted), Stalled.
	// +optional
	// +listType=map
	// +listMapKey=type
	Conditions []metav1.Condition `json:"conditions,omitempty"`
}

// Cloud is one connection to one cloud account.
// +kubebuilder:object:root=true
// +kubebuilder:subresource:status
// +kubebuilder:resource:categories=serverimage-operator
// +kubebuilder:printcolumn:name="Provider",type=string,JSONPath=`.spec.provider`
// +kubebuilder:printcolumn:name="Region",type=string,JSONPath=`.spec.region`
// +kubebuilder:printcolumn:name="Ready",type=string,JSONPath=`.status.conditions[?(@.type=="Ready")].status`
// +kubebuilder:printcolumn:name="Reason",type=string,JSONPath=`.status.conditions[?(@.type=="Ready")].reason`,priority=1
// +kubebuilder:printcolumn:name="Age",type=date,JSONPath=`.metadata.creationTimestamp`
type Cloud struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	Spec   CloudSpec   `json:"spec,omitempty"`
	Status CloudStatus `json:"status,omitempty"`
}

// CloudList is a list of Clouds.
// +kubebuilder:object:root=true
type CloudList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []Cloud `json:"items"`
}

func init() {
	SchemeBuilder.Register(&Cloud{}, &CloudList{})
}
