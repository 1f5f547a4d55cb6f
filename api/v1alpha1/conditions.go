package v1alpha1

// Condition types. Ready, Reconciling and Stalled follow the kstatus
// convention, so kubectl wait, Argo CD and Flux read them without plugins.
const (
	// ConditionReady is True when the image is active (ServerImage) or the
	// credentials work (Cloud).
	ConditionReady = "Ready"
	// ConditionReconciling is True while the operator is still working
	// towards Ready and expects to get there without help.
	ConditionReconciling = "Reconciling"
	// ConditionStalled is True when the operator cannot make progress
	// without a change by a person (spec, Cloud, credentials, the cloud).
	ConditionStalled = "Stalled"
)

// Condition reasons. Each one tells the user what is going on and, for the
// failures, what to do; docs/troubleshooting.md has the full table.
const (
	// ReasonImageActive: the image is active and can be used.
	ReasonImageActive = "ImageActive"
	// ReasonAuthenticated: the Cloud's credentials were accepted.
	ReasonAuthenticated = "Authenticated"

	// ReasonCloudNotReady: the referenced Cloud is missing or not Ready yet.
	ReasonCloudNotReady = "CloudNotReady"
	// ReasonCheckingServer: the server's state is being checked before the
	// create.
	ReasonCheckingServer = "CheckingServer"
	// ReasonServerBusy: the server is busy (another snapshot, a resize...);
	// the operator waits and retries.
	ReasonServerBusy = "ServerBusy"
	// ReasonCreating: createImage is being requested.
	ReasonCreating = "Creating"
	// ReasonImageSaving: the cloud accepted the request and is building the
	// image.
	ReasonImageSaving = "ImageSaving"
	// ReasonTransientError: the cloud failed in a way that is retried.
	ReasonTransientError = "TransientError"
	// ReasonRateLimited: the cloud asked us to slow down; retried after the
	// time it gave.
	ReasonRateLimited = "RateLimited"
	// ReasonDeleting: the cloud image is being deleted.
	ReasonDeleting = "Deleting"

	// ReasonServerNotFound: the server does not exist in the cloud.
	ReasonServerNotFound = "ServerNotFound"
	// ReasonServerNotReady: the server's state does not allow snapshots
	// (error, building, shelved...).
	ReasonServerNotReady = "ServerNotReady"
	// ReasonImageFailed: the cloud reports the image failed (killed,
	// deleted, error) or removed it while it was being built.
	ReasonImageFailed = "ImageFailed"
	// ReasonImageNotFound: the image to import does not exist.
	ReasonImageNotFound = "ImageNotFound"
	// ReasonImageServiceNotFound: the image API answered 404 to a list or
	// batched read, which points at a wrong image endpoint.
	ReasonImageServiceNotFound = "ImageServiceNotFound"
	// ReasonImageMissing: an image that was Ready is gone from the cloud.
	ReasonImageMissing = "ImageMissing"
	// ReasonTimeout: the image did not become active within spec.timeout.
	ReasonTimeout = "Timeout"
	// ReasonDuplicateImages: more than one image carries this object's
	// idempotency key; a person must pick one.
	ReasonDuplicateImages = "DuplicateImages"
	// ReasonAuthenticationFailed: the cloud rejected the credentials.
	ReasonAuthenticationFailed = "AuthenticationFailed"
	// ReasonForbidden: the cloud refused by policy or quota.
	ReasonForbidden = "Forbidden"
	// ReasonInvalidRequest: the cloud rejected the request as invalid.
	ReasonInvalidRequest = "InvalidRequest"
	// ReasonInvalidConfiguration: the Cloud or its Secret is not usable as
	// written (missing key, unknown clouds.yaml entry...).
	ReasonInvalidConfiguration = "InvalidConfiguration"
	// ReasonSecretNotFound: the Cloud's credentials Secret does not exist.
	ReasonSecretNotFound = "SecretNotFound"
	// ReasonProviderNotSupported: no driver for this provider yet.
	ReasonProviderNotSupported = "ProviderNotSupported"
	// ReasonDeletionFailed: the cloud image could not be deleted; retried.
	ReasonDeletionFailed = "DeletionFailed"
)

// FinalizerName guards cloud images whose ServerImage is being deleted.
const FinalizerName = "images.serverimage.dev/finalizer"

// CloudFinalizer keeps a Cloud (and so the way to its credentials) until no
// ServerImage refers to it, so that deleting everything at once, as a
// namespace deletion does, still lets each ServerImage delete its image.
const CloudFinalizer = "images.serverimage.dev/cloud-in-use"

// AbandonAnnotation, set to "true" on a ServerImage being deleted, releases
// the finalizer without touching the cloud image: the escape hatch for a
// Cloud that is gone for good.
const AbandonAnnotation = "images.serverimage.dev/abandon"

// CreateIntentAnnotation is written together with the finalizer, before
// any cloud call: the operator is about to create this object's image. An
// object with the finalizer that carried it before a pass (or carries the
// finalizer without it) may have had a create sent, so the operator looks
// for the image in the cloud before it creates one; an object whose pass
// just wrote it skips that lookup.
const CreateIntentAnnotation = "images.serverimage.dev/create-intent"

// Cloud condition types besides Ready.
const (
	// ConditionTLSVerificationDisabled is True while a Cloud skips
	// certificate verification: a standing warning that is visible in
	// kubectl get -o yaml.
	ConditionTLSVerificationDisabled = "TLSVerificationDisabled"
	// ConditionConfigurationWarning is True while the driver accepted the
	// Cloud's settings but has a warning about them (e.g. a deprecated API
	// version).
	ConditionConfigurationWarning = "ConfigurationWarning"
)
