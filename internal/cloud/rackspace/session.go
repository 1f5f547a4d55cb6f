package rackspace

import (
	"context"
	"time"

	"github.com/serverimage-operator/serverimage-operator/internal/cloud"
)

// tokenRefreshMargin: a token this close to its expiry is renewed before
// use, so that a request does not fail half-way and a 401 round trip is
// saved. Rackspace tokens live 24 hours.
const tokenRefreshMargin = 2 * time.Minute

// session is one token and what came with it. It is never modified: a
// renewal stores a new session.
type session struct {
	token    string
	expires  time.Time // zero when the answer did not say
	tenantID string
	// compute is the Cloud Servers v2 base URL, no trailing slash.
	compute string
	// images is the Cloud Images v2 base URL (properties and members),
	// or "" with imagesErr saying why there is none.
	images, imagesErr string
}

// Authenticate authenticates on first use and otherwise re-uses the token
// while it is valid. Wrong credentials give ClassUnauthorized with
// Identity's message.
func (p *Provider) Authenticate(ctx context.Context) error {
	_, err := p.session(ctx)
	return err
}

// session returns a token that is not about to expire, authenticating
// when there is none. Its errors are classified with op "authenticate".
func (p *Provider) session(ctx context.Context) (*session, error) {
	if s := p.sess.Load(); s != nil && !p.expiring(s) {
		return s, nil
	}
	return p.renew(ctx, nil)
}

// renew authenticates again, unless another caller has already replaced
// the session since rejected was handed out (rejected is the session whose
// token the API refused, nil when the session is merely missing or
// expiring).
func (p *Provider) renew(ctx context.Context, rejected *session) (*session, error) {
	select {
	case p.authSem <- struct{}{}:
	case <-ctx.Done():
		return nil, p.fail(cloud.OpAuthenticate, ctx.Err())
	}
	defer func() { <-p.authSem }()
	if cur := p.sess.Load(); cur != nil && cur != rejected && !p.expiring(cur) {
		return cur, nil
	}
	s, err := p.requestToken(ctx)
	if err != nil {
		return nil, err
	}
	p.sess.Store(s)
	return s, nil
}

func (p *Provider) expiring(s *session) bool {
	return !s.expires.IsZero() && s.expires.Sub(p.now()) < tokenRefreshMargin
}
