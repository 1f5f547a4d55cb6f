package rackspace

import (
	"math"
	"time"

	"github.com/serverimage-operator/serverimage-operator/internal/cloud"
)

// image is a Cloud Servers image as GET images/{id} and images/detail
// return it.
type image struct {
	ID     string `json:"id"`
	Name   string `json:"name"`
	Status string `json:"status"`
	// Progress is 0–100 while SAVING. Read as a float so that a "50.0"
	// does not fail the whole answer.
	Progress *float64 `json:"progress"`
	Server   *struct {
		ID string `json:"id"`
	} `json:"server"`
	Metadata map[string]any `json:"metadata"`
	Created  string         `json:"created"`
	Updated  string         `json:"updated"`
	Size     *int64         `json:"OS-EXT-IMG-SIZE:size"`
	Links    []link         `json:"links"`
}

type link struct {
	Href string `json:"href"`
	Rel  string `json:"rel"`
}

func (im image) toImage() cloud.Image {
	out := cloud.Image{
		ID:             im.ID,
		Name:           im.Name,
		Status:         im.Status,
		Phase:          cloud.NovaImagePhase(im.Status),
		Progress:       percent(im.Progress),
		SizeBytes:      im.Size,
		IdempotencyKey: im.metaString(cloud.IdempotencyMetadataKey),
		ServerID:       im.metaString("instance_uuid"),
		CreatedAt:      parseTime(im.Created),
		UpdatedAt:      parseTime(im.Updated),
	}
	if im.Server != nil && im.Server.ID != "" {
		out.ServerID = im.Server.ID
	}
	for _, l := range im.Links {
		if l.Rel == "self" {
			out.URL = l.Href
		}
	}
	return out
}

// metaString reads a metadata value as a string; values are strings on
// the wire, but nothing enforces it.
func (im image) metaString(key string) string {
	if s, ok := im.Metadata[key].(string); ok {
		return s
	}
	return ""
}

// percent turns the API's progress into a whole percentage in 0–100.
func percent(p *float64) *int32 {
	if p == nil || math.IsNaN(*p) {
		return nil
	}
	v := int32(math.Round(math.Max(0, math.Min(100, *p))))
	return &v
}

// timeLayouts: the API sends RFC 3339; some proxies omit the zone, which
// is then UTC.
var timeLayouts = []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999", "2006-01-02 15:04:05"}

// parseTime returns the zero time for an absent or unreadable value: a
// timestamp is informative, never a reason to fail a poll.
func parseTime(s string) time.Time {
	for _, layout := range timeLayouts {
		if t, err := time.Parse(layout, s); err == nil {
			return t
		}
	}
	return time.Time{}
}
