package openstack

import (
	"context"
	"sync"
	"time"

	"github.com/gophercloud/gophercloud/v2"
	"github.com/gophercloud/gophercloud/v2/openstack"
	tokens3 "github.com/gophercloud/gophercloud/v2/openstack/identity/v3/tokens"
	"github.com/serverimage-operator/serverimage-operator/internal/cloud"
)

// tokenRefreshMargin: a token this close to expires_at is renewed before
// use, so that a long request does not fail half-way and a 401 round trip
// is saved.
const tokenRefreshMargin = 2 * time.Minute

// session is the authenticated state, built once and then shared.
type session struct {
	provider *gophercloud.ProviderClient
	// compute sends no microversion header; callers that need one copy it.
	compute *gophercloud.ServiceClient
	// image is the Glance v2 client, nil in ComputeImages mode.
	image *gophercloud.ServiceClient
	// volume is Cinder, nil when the catalog has none.
	volume *gophercloud.ServiceClient

	expMu  sync.Mutex
	expTok string
	exp    time.Time
}

// Authenticate authenticates on first use and otherwise re-uses the token
// while it is valid, renewing it when it is about to expire. Wrong
// credentials give ClassUnauthorized with Keystone's message.
func (p *Provider) Authenticate(ctx context.Context) error {
	_, err := p.session(ctx)
	return err
}

// session returns the shared session, authenticating on first use. Its
// errors are already classified (op "authenticate": that is what failed,
// whichever call needed it).
func (p *Provider) session(ctx context.Context) (*session, error) {
	if s := p.sess.Load(); s != nil {
		return s, p.refreshIfExpiring(ctx, s)
	}
	select {
	case p.connectSem <- struct{}{}:
	case <-ctx.Done():
		return nil, p.fail(cloud.OpAuthenticate, ctx.Err())
	}
	defer func() { <-p.connectSem }()
	if s := p.sess.Load(); s != nil {
		return s, nil
	}
	s, err := p.connect(ctx)
	if err != nil {
		return nil, err
	}
	p.sess.Store(s)
	return s, nil
}

// connect authenticates against Keystone v3 and resolves the endpoints.
// AuthenticateV3 is used instead of AuthenticatedClient: it skips the
// identity version discovery GET (only v3 is supported anyway), and it
// installs the ReauthFunc that renews the token once per request on 401.
func (p *Provider) connect(ctx context.Context) (*session, error) {
	pc, err := openstack.NewClient(p.s.auth.IdentityEndpoint)
	if err != nil {
		return nil, cloud.Invalid(cloud.OpAuthenticate, "identity URL: "+err.Error())
	}
	pc.HTTPClient = p.httpClient
	pc.UserAgent.Prepend(cloud.UserAgent)
	ao := p.s.auth
	if err := openstack.AuthenticateV3(ctx, pc, &ao, gophercloud.EndpointOpts{}); err != nil {
		return nil, p.fail(cloud.OpAuthenticate, err)
	}
	res, ok := pc.GetAuthResult().(tokens3.CreateResult)
	if !ok {
		return nil, p.fail(cloud.OpAuthenticate, errUnexpectedAuthResult)
	}
	s := &session{provider: pc}
	if err := p.resolveEndpoints(s, res); err != nil {
		return nil, err
	}
	return s, nil
}

// refreshIfExpiring renews a token that is about to expire. Passing the
// current token lets gophercloud skip the renewal when another goroutine
// has just done it.
func (p *Provider) refreshIfExpiring(ctx context.Context, s *session) error {
	exp := s.expiresAt()
	if exp.IsZero() || time.Until(exp) > tokenRefreshMargin {
		return nil
	}
	if err := s.provider.Reauthenticate(ctx, s.provider.Token()); err != nil {
		return p.fail(cloud.OpAuthenticate, err)
	}
	return nil
}

// expiresAt reads the current token's expires_at. The auth result changes
// on every re-authentication, so the value is cached per token.
func (s *session) expiresAt() time.Time {
	tok := s.provider.Token()
	s.expMu.Lock()
	defer s.expMu.Unlock()
	if tok == s.expTok {
		return s.exp
	}
	s.expTok, s.exp = tok, time.Time{}
	if res, ok := s.provider.GetAuthResult().(tokens3.CreateResult); ok {
		if t, err := res.ExtractToken(); err == nil {
			s.exp = t.ExpiresAt
		}
	}
	return s.exp
}
