package scp

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"

	"github.com/serverimage-operator/serverimage-operator/internal/cloud"
)

// maxBody bounds what is read of any response: image lists are the largest
// answers, and an error page need not be read in full.
const maxBody = 4 << 20

// call sends one signed request to the virtual server API and decodes a
// 2xx JSON answer into out (when out is not nil). Every failure comes back
// as *cloud.Error, classified once, here or in send.
func (p *Provider) call(ctx context.Context, op, method, path string, query url.Values, in, out any) error {
	root, err := p.endpoint(ctx, op)
	if err != nil {
		return err
	}
	u := root + path
	if len(query) > 0 {
		// Encode sorts the keys: the signed URL is the same for the same
		// query whatever order the caller built it in.
		u += "?" + query.Encode()
	}
	return p.send(ctx, op, method, u, p.s.apiVersion.header(), in, out)
}

// send is one signed request to an absolute URL: the virtual server API,
// with its Scp-Api-Version, or the endpoint catalog, without one (the SDK
// sends none there, and the version names the virtual server service).
func (p *Provider) send(ctx context.Context, op, method, u, apiVersion string, in, out any) error {
	var payload []byte
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return cloud.Invalid(op, "encoding the request: "+err.Error())
		}
		payload = b
	}
	req, err := cloud.NewJSONRequest(ctx, method, u, payload)
	if err != nil {
		return p.scrub(cloud.Invalid(op, err.Error()))
	}
	if apiVersion != "" {
		req.Header.Set(headerAPIVersion, apiVersion)
	}

	resp, err := p.http.Do(req)
	if err != nil {
		return p.scrub(cloud.NewTransportError(op, err))
	}
	defer func() { _ = resp.Body.Close() }()
	raw, readErr := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return p.scrub(httpError(op, resp.StatusCode, resp.Header, raw))
	}
	if readErr != nil {
		return p.scrub(cloud.NewTransportError(op, readErr))
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(raw, out); err != nil {
		return p.scrub(cloud.NewTransportError(op, fmt.Errorf("HTTP %d: %w", resp.StatusCode, err)))
	}
	return nil
}

// getOne reads the one <kind> named id (a server or an image) from
// /v1/<kind>s/<id>. An empty id is refused before any call, a 404 is
// confirmed (checkNotFound) before it is believed, and an answer whose
// idOf is empty is malformed.
func getOne[T any](ctx context.Context, p *Provider, op, kind, id string, idOf func(T) string) (T, error) {
	var v T
	if id == "" {
		return v, cloud.Invalid(op, "no "+kind+" ID given")
	}
	if err := p.call(ctx, op, http.MethodGet, "/v1/"+kind+"s/"+url.PathEscape(id), nil, nil, &v); err != nil {
		return v, p.checkNotFound(ctx, op, err)
	}
	if idOf(v) == "" {
		return v, cloud.Malformed(op, "the "+kind+" response has no "+kind+" ID")
	}
	return v, nil
}
