package scp

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/serverimage-operator/serverimage-operator/internal/cloud"
)

// Authenticate checks the keys with a cheap signed call: HMAC signing has
// no token to fetch, so the only proof that the keys work is a request the
// gateway accepts.
func (p *Provider) Authenticate(ctx context.Context) error {
	return listNotFound(cloud.OpAuthenticate, p.probe(ctx, cloud.OpAuthenticate))
}

// listNotFound reads a 404 on an image list, which has no resource that
// could be missing, as SCP's answer to a request it cannot authenticate
// (or to a wrong endpoint). Other errors pass through.
func listNotFound(op string, err error) error {
	var ce *cloud.Error
	if !errors.As(err, &ce) || ce.HTTPStatus != http.StatusNotFound {
		return err
	}
	return &cloud.Error{
		Class:      cloud.ClassUnauthorized,
		Op:         op,
		HTTPStatus: ce.HTTPStatus,
		Message:    fmt.Sprintf("%s: %s", ce.Message, unauthenticatedHint),
		Err:        err,
	}
}
