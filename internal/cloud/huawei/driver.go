// Package huawei is the cloud.Provider for Huawei Cloud: the ECS native
// OpenStack createImage (POST /v2.1/{project_id}/servers/{id}/action at
// microversion 2.45) and the IMS image API for polling, finding and
// deleting, authenticated either by AK/SK request signing or by an IAM
// token obtained with a password (clouds.yaml, Keystone v3 form).
//
// Plain net/http is used rather than gophercloud: every call here is one
// small JSON request, gophercloud's token handling does not apply to AK/SK,
// and its error types would have to be translated anyway. Huawei's own SDK
// is not used either (see signer.go).
//
// IMS cannot be relied on to filter by custom properties, so the image name
// carries the idempotency key: CreateImage appends "-" and eight hex digits
// derived from the key, and FindImages looks for that exact name (names.go).
package huawei

import (
	"context"
	"net/http"
	"time"

	"github.com/serverimage-operator/serverimage-operator/internal/cloud"
)

func init() {
	cloud.Register(cloud.HuaweiCloud, New)
}

// Provider is one connection to one Huawei Cloud project. It is safe for
// concurrent use; the IAM token (token mode) is shared by all callers.
type Provider struct {
	// IMS names no EVS snapshots of an image (docs/providers/huawei.md).
	cloud.NoVolumeSnapshots

	s *settings
	// client sends ECS and IMS calls: signed in AK/SK mode, plain in
	// token mode (the token header is added per request).
	client http.Client
	// iamClient sends the IAM login; it never signs.
	iamClient http.Client
	now       func() time.Time
	tokens    tokenCache
}

var _ cloud.Provider = (*Provider)(nil)

// New builds a Provider from cfg without calling the cloud. Missing or
// contradictory settings are errors of class Invalid.
func New(_ context.Context, cfg cloud.Config) (cloud.Provider, error) {
	// Redirects elsewhere would carry the token (or, to IAM, the
	// password) away: the client follows only same-host ones.
	s, hc, err := cloud.Setup(cfg, newSettings)
	if err != nil {
		return nil, err
	}
	p := &Provider{
		s:         s,
		client:    *hc,
		iamClient: *hc,
		now:       time.Now,
		tokens:    tokenCache{sem: make(chan struct{}, 1)},
	}
	if s.mode == modeAKSK {
		p.client.Transport = &signer{
			accessKey:     s.accessKey,
			secretKey:     s.secretKey,
			securityToken: s.securityToken,
			projectID:     s.projectID,
			next:          hc.Transport,
			now:           func() time.Time { return p.now() },
		}
	}
	return p, nil
}

// Authenticate checks the credentials. In token mode that is the IAM
// login (cached for the token's lifetime). AK/SK has no login, so one
// cheap signed IMS call shows whether the gateway accepts the signature,
// the project and the image permissions the operator needs anyway.
func (p *Provider) Authenticate(ctx context.Context) error {
	if p.s.mode == modeToken {
		_, err := p.token(ctx)
		return err
	}
	_, err := p.do(ctx, request{
		op: cloud.OpAuthenticate, method: http.MethodGet, url: p.s.imsURL + "/v2/cloudimages",
		query: map[string][]string{"__imagetype": {"private"}, "limit": {"1"}},
		ok:    []int{http.StatusOK},
	})
	return err
}

// Capabilities: IMS has no list filter by several IDs that its docs
// confirm, so each image is read with its own GET. Images take no
// free-form metadata, so the key rides on the name. ECS reports Nova's
// task states, and IMS's create refuses a busy server with 409 and an
// unknown one with 404, naming the cause. IMS lists what changed since a
// time (updated_at=gte:).
func (p *Provider) Capabilities() cloud.Capabilities {
	return cloud.Capabilities{ImagesPerCall: 1, IdempotencyKey: cloud.KeyInName, ServerTasks: true, CreateChecksServer: true, ChangeFeed: true,
		VolumeSnapshots: cloud.SnapshotsHidden, Power: powerCapabilities(), Properties: propertySupport()}
}

// GetImages reads each image with its own GET (see Capabilities).
func (p *Provider) GetImages(ctx context.Context, ids []string) (map[string]cloud.Image, error) {
	out := make(map[string]cloud.Image, len(ids))
	return out, cloud.GetEach(ctx, p.GetImage, ids, out)
}
