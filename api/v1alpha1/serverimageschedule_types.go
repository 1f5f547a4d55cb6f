package v1alpha1

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// ConcurrencyPolicy says what a schedule does when a run is due while the
// image of the previous run is still being built.
// +kubebuilder:validation:Enum=Forbid;Allow
type ConcurrencyPolicy string

const (
	// ConcurrencyForbid skips the run (the default): a server is not asked
	// for a second snapshot while the first one is still saving.
	ConcurrencyForbid ConcurrencyPolicy = "Forbid"
	// ConcurrencyAllow starts the run anyway.
	ConcurrencyAllow ConcurrencyPolicy = "Allow"
)

// Labels and annotations the schedule puts on the ServerImages it creates.
const (
	// ScheduleLabel names the ServerImageSchedule a ServerImage was created
	// by, so `kubectl get si -l images.serverimage.dev/schedule=NAME` lists
	// one schedule's images.
	ScheduleLabel = "images.serverimage.dev/schedule"
	// ScheduledTimeAnnotation is the run's slot in the schedule (RFC 3339,
	// UTC): the images of one schedule are ordered by it.
	ScheduledTimeAnnotation = "images.serverimage.dev/scheduled-time"
	// CreatedTimeAnnotation is when the schedule created the ServerImage
	// (RFC 3339, UTC, the operator's clock); retention ages are counted
	// from it.
	CreatedTimeAnnotation = "images.serverimage.dev/created-time"
)

// Condition reasons of a ServerImageSchedule.
const (
	// ReasonScheduled: the schedule is valid and runs are being started.
	ReasonScheduled = "Scheduled"
	// ReasonSuspended: spec.suspend is true; no new runs start, retention
	// still applies.
	ReasonSuspended = "Suspended"
	// ReasonInvalidSchedule: spec.schedule passed the API server's checks
	// but the cron parser rejected it, or it never fires.
	ReasonInvalidSchedule = "InvalidSchedule"
	// ReasonInvalidTimeZone: spec.timeZone is not a known IANA time zone.
	ReasonInvalidTimeZone = "InvalidTimeZone"
)

// ServerImageTemplate is the ServerImage that each run stamps out. Changes
// apply to the runs that start after them.
// +kubebuilder:validation:XValidation:rule="!has(self.sharing) || size(self.sharing) == 0 || !has(self.visibility) || self.visibility == 'shared'",message="template.sharing needs visibility shared (or unset)"
type ServerImageTemplate struct {
	// CloudRef names the Cloud (same namespace) to use.
	CloudRef CloudReference `json:"cloudRef"`
	// ServerID is the ID (a UUID) of the server to snapshot.
	// +kubebuilder:validation:MaxLength=36
	// +kubebuilder:validation:XValidation:rule="self.matches('^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$')",message="serverID must be a server UUID such as 2a9be312-5d4b-4bc8-b2ae-35100fa9241f"
	ServerID string `json:"serverID"`
	// ImageNamePrefix starts the name of each image in the cloud; the run's
	// time in UTC follows, e.g. "web-20260329T0130Z". The schedule's name
	// when unset.
	// +optional
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=240
	// +kubebuilder:validation:XValidation:rule="!self.startsWith(' ') && !self.endsWith(' ')",message="imageNamePrefix must not start or end with whitespace"
	ImageNamePrefix string `json:"imageNamePrefix,omitempty"`
	// Metadata is added to each image's properties (same rules as a
	// ServerImage's metadata).
	// +optional
	// +kubebuilder:validation:MaxProperties=128
	// +kubebuilder:validation:XValidation:rule="self.all(k, k.matches('^[a-zA-Z0-9-_:. ]{1,255}$'))",message="metadata keys must be 1-255 characters of letters, digits, '-', '_', ':', '.' or space (no '/')"
	// +kubebuilder:validation:XValidation:rule="!('serverimage_uid' in self)",message="metadata key serverimage_uid is reserved: the operator uses it to find its images again"
	Metadata map[string]MetadataValue `json:"metadata,omitempty"`
	// DeletionPolicy of each ServerImage: Retain (default) keeps the cloud
	// image when the ServerImage is pruned or deleted; Delete removes it.
	// +optional
	DeletionPolicy DeletionPolicy `json:"deletionPolicy,omitempty"`
	// Timeout of each ServerImage (1h when unset).
	// +optional
	// +kubebuilder:validation:XValidation:rule="self.matches('^([0-9]+([.][0-9]+)?(ns|us|ms|s|m|h))+$') && duration(self) >= duration('1s')",message="timeout is a duration of at least 1s such as 90m or 2h"
	Timeout *metav1.Duration `json:"timeout,omitempty"`
	// Consistency of each ServerImage: CrashConsistent (default) or
	// Stopped (stop the server for the image, then start it again).
	// +optional
	Consistency Consistency `json:"consistency,omitempty"`

	ImageProperties `json:",inline"`
}

// ImageRetention says which of the schedule's ServerImages are deleted.
// Pruning deletes ServerImage objects, so each one's deletionPolicy decides
// what happens to its cloud image.
type ImageRetention struct {
	// MaxCount keeps this many of the newest Ready images and prunes older
	// Ready ones. Images still being built and failed images do not count.
	// +optional
	// +kubebuilder:validation:Minimum=1
	// +kubebuilder:validation:Maximum=1000
	MaxCount *int32 `json:"maxCount,omitempty"`
	// MaxAge prunes Ready images created longer ago than this, except the
	// newest Ready image, which is always kept so that a suspended or
	// failing schedule never loses its last good image.
	// +optional
	// +kubebuilder:validation:XValidation:rule="self.matches('^([0-9]+([.][0-9]+)?(ns|us|ms|s|m|h))+$') && duration(self) >= duration('1m')",message="maxAge is a duration of at least 1m such as 168h (days are not a unit: 7 days is 168h)"
	MaxAge *metav1.Duration `json:"maxAge,omitempty"`
	// FailedGracePeriod is how long a failed (Stalled) image is kept for
	// inspection after its creation before it is pruned (24h when unset).
	// +optional
	// +kubebuilder:validation:XValidation:rule="self.matches('^([0-9]+([.][0-9]+)?(ns|us|ms|s|m|h))+$') && duration(self) >= duration('0s')",message="failedGracePeriod is a duration such as 24h or 30m"
	FailedGracePeriod *metav1.Duration `json:"failedGracePeriod,omitempty"`
}

// ServerImageScheduleSpec is when to take images of a server and how many
// to keep.
//
// Defaults are applied by the operator at runtime, not written into the
// object (timeZone UTC, concurrencyPolicy Forbid, no starting deadline, no
// retention).
type ServerImageScheduleSpec struct {
	// Schedule in cron syntax: five fields (minute hour day-of-month month
	// day-of-week, e.g. "0 2 * * *") or one of @yearly, @annually,
	// @monthly, @weekly, @daily, @midnight, @hourly.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=200
	// +kubebuilder:validation:XValidation:rule="!self.contains('TZ=')",message="set the time zone in spec.timeZone, not with a TZ= or CRON_TZ= prefix in the schedule"
	// +kubebuilder:validation:XValidation:rule="self.matches('^(@(yearly|annually|monthly|weekly|daily|midnight|hourly)|[0-9A-Za-z*/,?-]+( +[0-9A-Za-z*/,?-]+){4})$')",message="schedule must be five cron fields separated by spaces (minute hour day-of-month month day-of-week, e.g. \"0 2 * * *\") or one of @yearly, @annually, @monthly, @weekly, @daily, @midnight, @hourly"
	Schedule string `json:"schedule"`
	// TimeZone the schedule is read in: an IANA name such as
	// "Europe/Berlin" (UTC when unset). Daylight saving time is followed:
	// "0 3 * * *" runs at 03:00 local time all year.
	// +optional
	// +kubebuilder:validation:MaxLength=64
	// +kubebuilder:validation:XValidation:rule="self.matches('^[A-Za-z][A-Za-z0-9_+-]*(/[A-Za-z0-9_+-]+)*$')",message="timeZone must be an IANA time zone name such as Europe/Berlin, America/New_York or UTC"
	// +kubebuilder:validation:XValidation:rule="self != 'Local'",message="timeZone Local would depend on the operator's host: name the zone, such as Europe/Berlin or UTC"
	TimeZone string `json:"timeZone,omitempty"`
	// Suspend stops new runs (retention still applies). Runs missed while
	// suspended are not caught up.
	// +optional
	Suspend bool `json:"suspend,omitempty"`
	// StartingDeadlineSeconds: a run that cannot start within this many
	// seconds of its time (the operator was down) is skipped. After
	// downtime at most one run, the latest one missed, is caught up. No
	// deadline when unset.
	// +optional
	// +kubebuilder:validation:Minimum=1
	StartingDeadlineSeconds *int64 `json:"startingDeadlineSeconds,omitempty"`
	// ConcurrencyPolicy: Forbid (default) skips a run while the previous
	// run's image is neither Ready nor Stalled; Allow starts it anyway.
	// +optional
	ConcurrencyPolicy ConcurrencyPolicy `json:"concurrencyPolicy,omitempty"`
	// Template is the ServerImage each run creates.
	Template ServerImageTemplate `json:"template"`
	// Retention prunes old and failed images. Nothing is pruned when unset.
	// +optional
	Retention *ImageRetention `json:"retention,omitempty"`
}

// ServerImageReference names a ServerImage in the schedule's namespace.
type ServerImageReference struct {
	// Name of the ServerImage.
	Name string `json:"name"`
}

// ServerImageScheduleStatus is what the operator observed.
type ServerImageScheduleStatus struct {
	// ObservedGeneration is the generation the status was computed for.
	// +optional
	ObservedGeneration int64 `json:"observedGeneration,omitempty"`
	// LastScheduleTime is the time of the last run that created a
	// ServerImage (its slot in the schedule).
	// +optional
	LastScheduleTime *metav1.Time `json:"lastScheduleTime,omitempty"`
	// NextScheduleTime is the time of the next run; unset while suspended
	// or invalid.
	// +optional
	NextScheduleTime *metav1.Time `json:"nextScheduleTime,omitempty"`
	// LastSuccessfulTime is when the newest Ready image became active.
	// +optional
	LastSuccessfulTime *metav1.Time `json:"lastSuccessfulTime,omitempty"`
	// Active lists the ServerImages of this schedule still being built.
	// +optional
	Active []ServerImageReference `json:"active,omitempty"`
	// Conditions: Ready (the schedule is valid and running or suspended),
	// Stalled (the schedule or time zone is invalid).
	// +optional
	// +listType=map
	// +listMapKey=type
	Conditions []metav1.Condition `json:"conditions,omitempty"`
}

// ServerImageSchedule creates ServerImages of one server on a cron
// schedule and prunes old ones.
// +kubebuilder:object:root=true
// +kubebuilder:subresource:status
// +kubebuilder:resource:shortName=sis,categories=serverimage-operator
// +kubebuilder:validation:XValidation:rule="self.metadata.name.size() <= 63",message="a ServerImageSchedule name is at most 63 characters: it is the value of the images.serverimage.dev/schedule label on its ServerImages"
// +kubebuilder:printcolumn:name="Schedule",type=string,JSONPath=`.spec.schedule`
// +kubebuilder:printcolumn:name="Time Zone",type=string,JSONPath=`.spec.timeZone`,priority=1
// +kubebuilder:printcolumn:name="Suspend",type=boolean,JSONPath=`.spec.suspend`
// +kubebuilder:printcolumn:name="Last",type=date,JSONPath=`.status.lastScheduleTime`
// +kubebuilder:printcolumn:name="Next",type=string,JSONPath=`.status.nextScheduleTime`
// +kubebuilder:printcolumn:name="Ready",type=string,JSONPath=`.status.conditions[?(@.type=="Ready")].status`,priority=1
// +kubebuilder:printcolumn:name="Reason",type=string,JSONPath=`.status.conditions[?(@.type=="Ready")].reason`,priority=1
// +kubebuilder:printcolumn:name="Age",type=date,JSONPath=`.metadata.creationTimestamp`
type ServerImageSchedule struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	Spec   ServerImageScheduleSpec   `json:"spec,omitempty"`
	Status ServerImageScheduleStatus `json:"status,omitempty"`
}

// ServerImageScheduleList is a list of ServerImageSchedules.
// +kubebuilder:object:root=true
type ServerImageScheduleList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []ServerImageSchedule `json:"items"`
}

func init() {
	SchemeBuilder.Register(&ServerImageSchedule{}, &ServerImageScheduleList{})
}
