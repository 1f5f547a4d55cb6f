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

// ImagePhase is a cloud image status normalised across providers.
type ImagePhase string

const (
	// PhasePending covers every status on the way to active (queued, saving,
	// uploading, importing, Nova proxy SAVING and UNKNOWN).
	PhasePending ImagePhase = "Pending"
	// PhaseActive means the image is usable.
	PhaseActive ImagePhase = "Active"
	// PhaseFailed means the image will never become active (killed, deleted,
	// pending_delete, deactivated, ERROR, DELETED).
	PhaseFailed ImagePhase = "Failed"
)

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
}

// Server is the part of a server's state that decides whether a snapshot can
// start now.
type Server struct {
	ID     string
	Status string
	// TaskState is Nova's OS-EXT-STS:task_state (empty when idle).
	TaskState string
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
	// GetServer returns the server, or an error of class NotFound.
	GetServer(ctx context.Context, id string) (*Server, error)
	// CreateImage starts a snapshot and returns the new image's ID.
	CreateImage(ctx context.Context, req CreateImageRequest) (string, error)
	// GetImage returns one image, or an error of class NotFound.
	GetImage(ctx context.Context, id string) (*Image, error)
	// FindImages returns the non-deleted images that an earlier CreateImage
	// with the same idempotency key produced. It must not return images
	// that carry a different key.
	FindImages(ctx context.Context, q FindImagesQuery) ([]Image, error)
	// DeleteImage deletes the image; an image that is already gone is not
	// an error.
	DeleteImage(ctx context.Context, id string) error
}

// BatchImageGetter is implemented by drivers whose cloud can return many
// images in one call. Missing IDs are simply absent from the result.
type BatchImageGetter interface {
	GetImages(ctx context.Context, ids []string) (map[string]Image, error)
	// ImagesPerCall is how many IDs one call of GetImages reads; 0 means
	// any number (a listing without an ID filter returns them all at once).
	// The poller spreads reads over the poll interval in calls of this
	// size, and reads everything together when it is 0.
	ImagesPerCall() int
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

// ServerBusy reports whether a snapshot cannot start now because the server
// is doing something else; the caller should wait, not fail.
func (s *Server) ServerBusy() bool { return s.TaskState != "" }

// Snapshottable reports whether the server's status allows createImage
// (Nova: ACTIVE, SHUTOFF/STOPPED, PAUSED, SUSPENDED).
func (s *Server) Snapshottable() bool {
	switch s.Status {
	case "ACTIVE", "SHUTOFF", "STOPPED", "PAUSED", "SUSPENDED":
		return true
	}
	return false
}
