package rackspace

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"slices"

	"github.com/serverimage-operator/serverimage-operator/internal/cloud"
)

// maxResponseBody bounds what is read of one answer: an images/detail
// page of a thousand images is a few MiB, error pages far less.
const maxResponseBody = 16 << 20

// response is an HTTP answer, read in full.
type response struct {
	status int
	header http.Header
	body   []byte
}

// call sends one Cloud Servers request with the session's token and
// returns the answer when its status is one of okCodes. A 401 is answered
// by one re-authentication and one retry: the token is checked (by Repose)
// before the API acts, so even a createImage is safe to resend. Errors are
// classified for op.
func (p *Provider) call(ctx context.Context, op, method, rel string, query url.Values, body any, okCodes ...int) (*response, error) {
	return p.callAPI(ctx, op, computeAPI, method, rel, query, body, okCodes...)
}

// api is one of the account's services: where its base URL is in the
// session, and the media type of its request bodies ("" for JSON).
type api struct {
	base        func(s *session, op string) (string, error)
	contentType string
}

var computeAPI = api{base: func(s *session, _ string) (string, error) { return s.compute, nil }}

// callAPI is call to any of the account's services.
func (p *Provider) callAPI(ctx context.Context, op string, to api, method, rel string, query url.Values, body any, okCodes ...int) (*response, error) {
	var raw []byte
	if body != nil {
		var err error
		if raw, err = json.Marshal(body); err != nil {
			return nil, cloud.Invalid(op, "encoding the request: "+err.Error())
		}
	}
	s, err := p.session(ctx)
	if err != nil {
		return nil, err
	}
	for retried := false; ; retried = true {
		res, err := p.send(ctx, op, to, s, method, rel, query, raw)
		if err != nil {
			return nil, err
		}
		if res.status == http.StatusUnauthorized && !retried {
			if s, err = p.renew(ctx, s); err != nil {
				return nil, reauthFailed(op, err)
			}
			continue
		}
		if !slices.Contains(okCodes, res.status) {
			return nil, p.httpError(op, method, rel, res)
		}
		return res, nil
	}
}

// send is one attempt of call.
func (p *Provider) send(ctx context.Context, op string, to api, s *session, method, rel string, query url.Values, raw []byte) (*response, error) {
	base, err := to.base(s, op)
	if err != nil {
		return nil, err
	}
	u := base + "/" + rel
	if len(query) > 0 {
		u += "?" + query.Encode()
	}
	req, err := cloud.NewJSONRequest(ctx, method, u, raw)
	if err != nil {
		return nil, cloud.Invalid(op, "building the request: "+err.Error())
	}
	req.Header.Set("X-Auth-Token", s.token)
	if to.contentType != "" && raw != nil {
		req.Header.Set("Content-Type", to.contentType)
	}
	return p.roundTrip(op, req)
}

// roundTrip performs req and reads the answer, bounded.
func (p *Provider) roundTrip(op string, req *http.Request) (*response, error) {
	res, err := p.hc.Do(req)
	if err != nil {
		return nil, p.fail(op, err)
	}
	defer func() { _ = res.Body.Close() }()
	body, err := io.ReadAll(io.LimitReader(res.Body, maxResponseBody))
	if err != nil {
		return nil, p.fail(op, err)
	}
	return &response{status: res.StatusCode, header: res.Header, body: body}, nil
}

// decode reads a JSON answer into v; a body that does not parse is a
// transient failure (a proxy's error page with a 200, a cut connection).
func (p *Provider) decode(op string, res *response, v any) error {
	if err := json.Unmarshal(res.body, v); err != nil {
		return p.fail(op, err)
	}
	return nil
}
