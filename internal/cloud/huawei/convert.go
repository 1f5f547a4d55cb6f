package huawei

import (
	"bytes"
	"encoding/json"
	"strconv"

	"github.com/serverimage-operator/serverimage-operator/internal/cloud"
)

// imsImage is an IMS image (Glance-style GET, or an entry of
// /v2/cloudimages) as the driver reads it: Glance's shape, but a size that
// may come as a string.
type imsImage struct {
	cloud.GlanceImage
	Size flexInt `json:"size"`
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
	out := img.GlanceImage.Image(url)
	out.SizeBytes = img.Size.v
	return out
}

var _ json.Unmarshaler = (*flexInt)(nil)
