package scp

import (
	"context"
	"net/http"

	"github.com/serverimage-operator/serverimage-operator/internal/cloud"
)

// Capabilities: /v1/pending-images lists every image still being built
// in one unpaged answer, however many the poller follows (ImagesPerCall
// 0). The key rides on the image name (SCP images take no metadata), and
// servers report states but no tasks.
func (p *Provider) Capabilities() cloud.Capabilities {
	return cloud.Capabilities{ImagesPerCall: 0, IdempotencyKey: cloud.KeyInName, VolumeSnapshots: cloud.SnapshotsHidden, Properties: propertySupport(), Warnings: append([]string(nil), p.s.warnings...),
		Power: powerCapabilities()}
}

// GetImages reads many images in one call while they are being built: SCP
// has no ID filter on its image lists, but /v1/pending-images returns all
// images still in progress. An image that has left that list (active,
// failed or gone) is read with its own GET, once, which is also the read
// that sees it active. IDs the cloud does not know are absent from the
// result.
func (p *Provider) GetImages(ctx context.Context, ids []string) (map[string]cloud.Image, error) {
	ids = cloud.UniqueIDs(ids)
	out := make(map[string]cloud.Image, len(ids))
	if len(ids) > 1 {
		want := make(map[string]bool, len(ids))
		for _, id := range ids {
			want[id] = true
		}
		var pending imageList
		if err := p.call(ctx, cloud.OpGetImage, http.MethodGet, "/v1/pending-images", nil, nil, &pending); err != nil {
			// A 404 on a list is SCP's answer to a request it cannot
			// authenticate, never "no images".
			return nil, listNotFound(cloud.OpGetImage, err)
		}
		for _, img := range pending.Images {
			if want[img.ID] {
				out[img.ID] = img.toImage()
			}
		}
	}
	if err := cloud.GetEach(ctx, p.GetImage, ids, out); err != nil {
		return nil, err
	}
	return out, nil
}
