package huawei

import (
	"context"
	"time"

	"github.com/serverimage-operator/serverimage-operator/internal/cloud"
)

// ImagesChangedSince: see Capabilities (no change feed is used here yet;
// the poller reads tracked images by ID).
func (p *Provider) ImagesChangedSince(context.Context, time.Time) ([]cloud.Image, error) {
	return nil, cloud.NoChangeFeed("imagesChangedSince")
}
