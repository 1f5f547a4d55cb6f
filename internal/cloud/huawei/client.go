package huawei

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"slices"

	"github.com/serverimage-operator/serverimage-operator/internal/cloud"
)

// maxResponseBody bounds what is read from one answer; an image listing
// filtered by exact name is far smaller.
const maxResponseBody = 4 << 20

// request is one ECS or IMS call.
type request struct {
	op     string
	method string
	// url is absolute and without query.
	url   string
	query url.Values
	// body is sent as JSON when not nil.
	body   any
	header http.Header
	// ok lists the statuses that mean success.
	ok []int
}

// reply is a successful answer.
type reply struct {
	status int
	header http.Header
	body   []byte
}

// do sends r and returns the answer, or an error already classified as
// *cloud.Error. In token mode a 401 drops the token and the request is
// sent once more with a fresh one (a token revoked or expired early);
// a second 401 is final.
func (p *Provider) do(ctx context.Context, r request) (*reply, error) {
	var payload []byte
	if r.body != nil {
		var err error
		if payload, err = json.Marshal(r.body); err != nil {
			return nil, cloud.Invalid(r.op, "encoding the request: "+err.Error())
		}
	}
	target := r.url
	if len(r.query) > 0 {
		// The signer rewrites the query into this form anyway; building it
		// here keeps the URL in errors and logs equal to the one sent.
		target += "?" + canonicalQuery(r.query)
	}
	for attempt := 0; ; attempt++ {
		req, err := cloud.NewJSONRequest(ctx, r.method, target, payload)
		if err != nil {
			return nil, cloud.Invalid(r.op, "building the request: "+err.Error())
		}
		for k, vs := range r.header {
			req.Header[k] = vs
		}
		var tok string
		if p.s.mode == modeToken {
			if tok, err = p.token(ctx); err != nil {
				return nil, err
			}
			req.Header.Set("X-Auth-Token", tok)
		}
		resp, err := p.client.Do(req)
		if err != nil {
			return nil, p.transportError(r.op, err)
		}
		body, err := io.ReadAll(io.LimitReader(resp.Body, maxResponseBody))
		_ = resp.Body.Close()
		if slices.Contains(r.ok, resp.StatusCode) {
			if err != nil {
				return nil, p.transportError(r.op, err)
			}
			return &reply{status: resp.StatusCode, header: resp.Header, body: body}, nil
		}
		if resp.StatusCode == http.StatusUnauthorized && tok != "" && attempt == 0 {
			p.tokens.drop(tok)
			continue
		}
		return nil, p.httpError(r.op, resp.StatusCode, resp.Header, body)
	}
}
