package v1alpha1

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// Kinds a ServerImage's cloudRef may name.
const (
	KindCloud        = "Cloud"
	KindClusterCloud = "ClusterCloud"
)

// ReasonCloudNotAllowed: the ServerImage's namespace may not use the
// ClusterCloud it names (spec.allowedNamespaces).
const ReasonCloudNotAllowed = "CloudNotAllowed"

// AllowedNamespaces chooses the namespaces whose ServerImages may use a
// ClusterCloud: those matching the selector and those named. When both are
// empty no namespace may.
type AllowedNamespaces struct {
	// Selector matches namespace labels. An empty selector ({}) matches
	// every namespace.
	// +optional
	Selector *metav1.LabelSelector `json:"selector,omitempty"`
	// Names lists namespaces by name.
	// +optional
	// +listType=set
	// +kubebuilder:validation:MaxItems=1000
	// +kubebuilder:validation:items:MaxLength=63
	Names []string `json:"names,omitempty"`
}

// ClusterCloudSpec is a Cloud's spec shared with chosen namespaces. Its
// credentialsSecretRef names a Secret in the operator's ClusterCloud
// credentials namespace (--cluster-cloud-namespace), out of reach of the
// namespaces that use it.
type ClusterCloudSpec struct {
	CloudSpec `json:",inline"`

	// AllowedNamespaces chooses which namespaces may use this ClusterCloud.
	// Unset: none.
	// +optional
	AllowedNamespaces *AllowedNamespaces `json:"allowedNamespaces,omitempty"`
}

// ClusterCloudStatus is a Cloud's status plus how many ServerImages use it.
type ClusterCloudStatus struct {
	CloudStatus `json:",inline"`

	// ServerImages is how many ServerImages, in all namespaces, name this
	// ClusterCloud.
	// +optional
	ServerImages int32 `json:"serverImages,omitempty"`
}

// ClusterCloud is one connection to one cloud account, held once for the
// whole cluster and used by the namespaces it allows.
// +kubebuilder:object:root=true
// +kubebuilder:subresource:status
// +kubebuilder:resource:scope=Cluster,shortName=ccl,categories=serverimage-operator
// +kubebuilder:printcolumn:name="Provider",type=string,JSONPath=`.spec.provider`
// +kubebuilder:printcolumn:name="Region",type=string,JSONPath=`.spec.region`
// +kubebuilder:printcolumn:name="Images",type=integer,JSONPath=`.status.serverImages`
// +kubebuilder:printcolumn:name="Ready",type=string,JSONPath=`.status.conditions[?(@.type=="Ready")].status`
// +kubebuilder:printcolumn:name="Reason",type=string,JSONPath=`.status.conditions[?(@.type=="Ready")].reason`,priority=1
// +kubebuilder:printcolumn:name="Age",type=date,JSONPath=`.metadata.creationTimestamp`
type ClusterCloud struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	Spec   ClusterCloudSpec   `json:"spec,omitempty"`
	Status ClusterCloudStatus `json:"status,omitempty"`
}

// ClusterCloudList is a list of ClusterClouds.
// +kubebuilder:object:root=true
type ClusterCloudList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []ClusterCloud `json:"items"`
}

func init() {
	SchemeBuilder.Register(&ClusterCloud{}, &ClusterCloudList{})
}
