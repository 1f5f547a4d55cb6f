package cloud

import (
	"math"
	"strings"
)

// NovaImage is an image as the Nova images proxy returns it (GET
// images/{id} and the entries of images/detail): the OpenStack driver's
// ComputeImages poll API and Rackspace Cloud Servers' images API.
type NovaImage struct {
	ID     string `json:"id"`
	Name   string `json:"name"`
	Status string `json:"status"`
	// Progress is 0–100 while SAVING. Read as a number of any form so that
	// a "50.0" does not fail a whole page.
	Progress *float64 `json:"progress"`
	Server   *struct {
		ID string `json:"id"`
	} `json:"server"`
	Metadata map[string]any `json:"metadata"`
	Created  string         `json:"created"`
	Updated  string         `json:"updated"`
	Size     *int64         `json:"OS-EXT-IMG-SIZE:size"`
	Links    []NovaLink     `json:"links"`
}

// NovaLink is an entry of a Nova "links" or "images_links" list.
type NovaLink struct {
	Href string `json:"href"`
	Rel  string `json:"rel"`
}

// Image is n in the provider-neutral form.
func (n NovaImage) Image() Image {
	img := Image{
		ID:              n.ID,
		Name:            n.Name,
		Status:          n.Status,
		Phase:           NovaImagePhase(n.Status),
		Progress:        percent(n.Progress),
		SizeBytes:       n.Size,
		IdempotencyKey:  n.Meta(IdempotencyMetadataKey),
		ServerID:        n.Meta("instance_uuid"),
		CreatedAt:       ParseTime(n.Created),
		UpdatedAt:       ParseTime(n.Updated),
		VolumeSnapshots: SnapshotsOfMapping(n.Metadata["block_device_mapping"]),
	}
	if n.Server != nil && n.Server.ID != "" {
		img.ServerID = n.Server.ID
	}
	for _, l := range n.Links {
		if l.Rel == "self" {
			img.URL = l.Href
		}
	}
	return img
}

// CreatedWith tells whether n is a live image of the create that carried
// key. The proxy cannot filter on metadata, so listings are checked here.
func (n NovaImage) CreatedWith(key string) bool {
	return n.Meta(IdempotencyMetadataKey) == key && !strings.EqualFold(n.Status, "DELETED")
}

// Meta reads a metadata value as a string: the proxy's metadata is
// Glance's properties, which are strings, but nothing enforces that.
func (n NovaImage) Meta(key string) string {
	if s, ok := n.Metadata[key].(string); ok {
		return s
	}
	return ""
}

// percent turns the proxy's progress into a whole percentage in 0–100: a
// value outside it (a proxy's bug) would otherwise be shown as is.
func percent(p *float64) *int32 {
	if p == nil || math.IsNaN(*p) {
		return nil
	}
	v := int32(math.Round(math.Max(0, math.Min(100, *p))))
	return &v
}
