// Package cloud is the boundary between the reconcilers and the cloud APIs.
//
// Every driver implements the small Provider interface below and returns
// errors already classified as *Error, so that the reconcilers never look at
// HTTP status codes or provider-specific bodies themselves.
package cloud

import (
	"context"
	"time"
)

// IdempotencyMetadataKey is the image metadata key that carries the
// ServerImage UID on clouds that accept metadata. Nova rejects keys with a
// '/', so a domain-prefixed label-style key is not an option.
const IdempotencyMetadataKey = "serverimage_uid"

// ImagePhase is a cloud image status normalised across providers. The
// reconcilers decide on phases only; the raw status is for people.
type ImagePhase string

const (
	// PhaseQueued: the cloud registered the image but has no data for it
	// yet (Glance's and IMS's queued). A request that failed after the
	// image was registered leaves it here for ever (see
	// Capabilities.ServerTasks).
	PhaseQueued ImagePhase = "Queued"
	// PhasePending covers every other status on the way to active (saving,
	// uploading, importing, Nova proxy SAVING and UNKNOWN).
	PhasePending ImagePhase = "Pending"
	// PhaseActive means the image is usable.
	PhaseActive ImagePhase = "Active"
	// PhaseFailed means the image will never become active (killed,
	// pending_delete, deactivated, ERROR).
	PhaseFailed ImagePhase = "Failed"
	// PhaseDeleted means the cloud still lists the image but it is deleted
	// (Glance's deleted, Nova's DELETED): gone for a delete that waits, and
	// failed for an image being built.
	PhaseDeleted ImagePhase = "Deleted"
)

// InProgress reports whether the image is still on its way to active.
func (p ImagePhase) InProgress() bool { return p == PhaseQueued || p == PhasePending }

// Final reports whether the image will never become active.
func (p ImagePhase) Final() bool { return p == PhaseFailed || p == PhaseDeleted }

// Image is what the operator needs to know about one cloud image.
type Image struct {
	ID string
	// Name as the cloud stores it (may carry an idempotency suffix).
	Name string
	// Status is the cloud's raw status string, shown to users as-is.
	Status string
	Phase  ImagePhase
	// Progress in percent when the cloud reports it, otherwise nil.
	Progress *int32
	// SizeBytes and Checksum when the cloud reports them.
	SizeBytes *int64
	Checksum  string
	// ServerID is the server the image was taken from, when known.
	ServerID string
	// IdempotencyKey is the ServerImage UID found on the image, if any.
	IdempotencyKey string
	CreatedAt      time.Time
	UpdatedAt      time.Time
	// URL is a link to the image where the cloud returns one.
	URL string
	// VolumeSnapshots are the block-storage snapshots the image holds (an
	// image of a volume-backed server), where Capabilities().VolumeSnapshots.
	VolumeSnapshots []ImageSnapshot
	// Tags, visibility and protection, where the read returns them.
	ImageProps
}

// ServerReadiness says whether an image of a server can be requested now,
// normalised across providers.
type ServerReadiness string

const (
	// ServerIdle: the server can be imaged now.
	ServerIdle ServerReadiness = "Idle"
	// ServerBusy: the server is doing something else (another snapshot, a
	// resize, a reboot); it can be imaged once that is over.
	ServerBusy ServerReadiness = "Busy"
	// ServerCannotBeImaged: the server's state does not allow an image
	// (error, building, shelved...) and will not change on its own soon.
	ServerCannotBeImaged ServerReadiness = "CannotBeImaged"
)

// Server is the part of a server's state that decides whether a snapshot can
// start now.
type Server struct {
	ID        string
	Readiness ServerReadiness
	// Status is the cloud's own words for the server's state (with the
	// task it runs, if any), for messages only.
	Status string
	// Power, Snapshot and VolumeBacked serve images of stopped servers
	// and the capture signal (power.go).
	Power        PowerState
	Snapshot     SnapshotStage
	VolumeBacked bool
}

// KeyCarrier is where a driver puts the idempotency key of a create.
type KeyCarrier string

const (
	// KeyInMetadata: image metadata IdempotencyMetadataKey=<key>.
	KeyInMetadata KeyCarrier = "metadata"
	// KeyInName: a suffix derived from the key on the image name, where
	// the cloud takes no metadata or cannot filter by it.
	KeyInName KeyCarrier = "name suffix"
)

// Capabilities is what a driver's cloud can do. The reconcilers read it
// instead of testing which provider they talk to.
type Capabilities struct {
	// ImagesPerCall is how many IDs one GetImages call reads; 0 means any
	// number (a listing without an ID filter returns them all at once).
	// The poller spreads reads over the poll interval in calls of this
	// size, and reads everything together when it is 0.
	ImagesPerCall int
	// IdempotencyKey is where CreateImage records the request's key.
	IdempotencyKey KeyCarrier
	// ServerTasks: GetServer reports the task a server runs, so a queued
	// image whose server runs no snapshot is known to be the orphan of a
	// failed request (Nova registers the image before it checks the
	// server). Clouds that report only a state cannot tell.
	ServerTasks bool
	// CreateChecksServer: createImage itself refuses a busy server (409
	// naming the task), one whose state allows no image (409) and an
	// unknown one (404), with the cloud's message, so no server read is
	// needed before it. Where the refusal does not say as much, the
	// server is read first.
	CreateChecksServer bool
	// ChangeFeed: ImagesChangedSince lists every image of the account that
	// changed since a time in one paged call, whatever their number.
	ChangeFeed bool
	// VolumeSnapshots says whether images of volume-backed servers name
	// the block-storage snapshots they hold, so that they can be deleted
	// with the image.
	VolumeSnapshots SnapshotDiscovery
	// Power: the capture signal and when a stopped server may start.
	Power PowerCapabilities
	// Properties: which image properties the operator can keep here.
	Properties PropertySupport
	// Warnings about the Cloud's settings the driver accepted (a
	// deprecated API version...), shown on the Cloud.
	Warnings []string
}

// CreateImageRequest asks for an image of one server.
type CreateImageRequest struct {
	ServerID string
	Name     string
	Metadata map[string]string
	// IdempotencyKey identifies the request across retries and restarts
	// (the ServerImage UID). Drivers embed it where their cloud lets them
	// find it again: a metadata key, or a name suffix.
	IdempotencyKey string
}

// FindImagesQuery describes images created by an earlier CreateImage call.
type FindImagesQuery struct {
	ServerID       string
	Name           string
	IdempotencyKey string
}

// Provider is one authenticated connection to one cloud account.
// Implementations are safe for concurrent use and return *Error for every
// failure that came from the cloud.
type Provider interface {
	// Authenticate checks the credentials (and fetches a token where the
	// cloud uses tokens). Cloud readiness is decided by it.
	Authenticate(ctx context.Context) error
	// Capabilities says what this cloud can do; it makes no call.
	Capabilities() Capabilities
	// GetServer returns the server, or an error of class NotFound.
	GetServer(ctx context.Context, id string) (*Server, error)
	// CreateImage starts a snapshot and returns the new image's ID.
	CreateImage(ctx context.Context, req CreateImageRequest) (string, error)
	// GetImage returns one image, or an error of class NotFound.
	GetImage(ctx context.Context, id string) (*Image, error)
	// GetImages reads the images of ids in one call of the cloud (at most
	// Capabilities().ImagesPerCall of them; drivers without a batched
	// read use GetEach). Images the cloud does not know are absent from
	// the result.
	GetImages(ctx context.Context, ids []string) (map[string]Image, error)
	// ImagesChangedSince lists the account's images whose last update is
	// at or after since, oldest change first, in as few calls as the cloud
	// pages them (only where Capabilities().ChangeFeed; others return an
	// Invalid error). Images that were deleted or failed may be left out:
	// a feed says what changed, never what is gone.
	ImagesChangedSince(ctx context.Context, since time.Time) ([]Image, error)
	// FindImages returns the non-deleted images that an earlier CreateImage
	// with the same idempotency key produced. It must not return images
	// that carry a different key.
	FindImages(ctx context.Context, q FindImagesQuery) ([]Image, error)
	// DeleteImage deletes the image; an image that is already gone is not
	// an error.
	DeleteImage(ctx context.Context, id string) error
	VolumeSnapshots
	ServerPower

	ImagePropertyUpdater
	ImageMembers
	ShareAcceptor
	JobReader
}

// UniqueIDs drops empty and repeated IDs from a batched read's request,
// keeping the order.
func UniqueIDs(ids []string) []string {
	seen := make(map[string]bool, len(ids))
	out := make([]string, 0, len(ids))
	for _, id := range ids {
		if id != "" && !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out
}

// GetEach reads the images of ids that out does not hold yet, one call
// each, into out: the fallback of a batched read for the images a list did
// not cover. An image the cloud does not know is left out; any other
// error ends the read.
func GetEach(ctx context.Context, get func(context.Context, string) (*Image, error), ids []string, out map[string]Image) error {
	for _, id := range ids {
		if _, ok := out[id]; ok {
			continue
		}
		img, err := get(ctx, id)
		if IsNotFound(err) {
			continue
		}
		if err != nil {
			return err
		}
		out[id] = *img
	}
	return nil
}

// NoChangeFeed is ImagesChangedSince for drivers whose cloud has no change
// feed (Capabilities().ChangeFeed is false, so it is never called).
func NoChangeFeed(op string) error {
	return &Error{Class: ClassInvalid, Op: op, Message: "this cloud has no change feed of its images"}
}
