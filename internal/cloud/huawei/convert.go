package huawei

import (
	"bytes"
	"encoding/json"
	"strconv"

	"github.com/serverimage-operator/serverimage-operator/internal/cloud"
)

// imsImage is the part of an IMS image (Glance-style GET, or an entry of
// /v2/cloudimages) the driver reads. instance_uuid is set by the native
// createImage; serverimage_uid is our metadata. IMS may omit either.
type imsImage struct {
	ID             string  `json:"id"`
	Name           string  `json:"name"`
	Status         string  `json:"status"`
	Size           flexInt `json:"size"`
	Checksum       string  `json:"checksum"`
	InstanceUUID   string  `json:"instance_uuid"`
	IdempotencyKey string  `json:"serverimage_uid"`
	CreatedAt      string  `json:"created_at"`
	UpdatedAt      string  `json:"updated_at"`
}

// flexInt reads a number that may come as a JSON number, a numeric string
// or null: IMS renders some sizes as strings, and one odd field must not
// fail a poll.
type flexInt struct{ v *int64 }

func (f *flexInt) UnmarshalJSON(b []byte) error {
	b = bytes.Trim(bytes.TrimSpace(b), `"`)
	if n, err := strconv.ParseInt(string(b), 10, 64); err == nil {
		f.v = &n
	}
	return nil
}

func (img imsImage) toImage(url string) cloud.Image {
	return cloud.Image{
		ID:             img.ID,
		Name:           img.Name,
		Status:         img.Status,
		Phase:          cloud.GlancePhase(img.Status),
		SizeBytes:      img.Size.v,
		Checksum:       img.Checksum,
		ServerID:       img.InstanceUUID,
		IdempotencyKey: img.IdempotencyKey,
		CreatedAt:      cloud.ParseTime(img.CreatedAt),
		UpdatedAt:      cloud.ParseTime(img.UpdatedAt),
		URL:            url,
	}
}

var _ json.Unmarshaler = (*flexInt)(nil)
