package cloud

// GlanceImage is the part of a Glance v2 image the drivers read: the
// OpenStack driver's Glance poll API, and Huawei IMS, which answers in
// Glance's shape. instance_uuid is set by Nova's createImage and
// serverimage_uid is the operator's metadata; either may be missing.
type GlanceImage struct {
	ID             string `json:"id"`
	Name           string `json:"name"`
	Status         string `json:"status"`
	Size           *int64 `json:"size"`
	Checksum       string `json:"checksum"`
	InstanceUUID   string `json:"instance_uuid"`
	IdempotencyKey string `json:"serverimage_uid"`
	CreatedAt      string `json:"created_at"`
	UpdatedAt      string `json:"updated_at"`
}

// Image is g in the provider-neutral form, found at url.
func (g GlanceImage) Image(url string) Image {
	return Image{
		ID:             g.ID,
		Name:           g.Name,
		Status:         g.Status,
		Phase:          GlancePhase(g.Status),
		SizeBytes:      g.Size,
		Checksum:       g.Checksum,
		ServerID:       g.InstanceUUID,
		IdempotencyKey: g.IdempotencyKey,
		CreatedAt:      ParseTime(g.CreatedAt),
		UpdatedAt:      ParseTime(g.UpdatedAt),
		URL:            url,
	}
}
