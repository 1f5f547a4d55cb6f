package rackspace

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	"github.com/serverimage-operator/serverimage-operator/internal/cloud"
)

// Rackspace Identity v2.0 token request, hand-written: gophercloud v2 has
// no RAX-KSKEY:apiKeyCredentials authentication.
//
//	POST {identity}/v2.0/tokens
//	{"auth":{"RAX-KSKEY:apiKeyCredentials":{"username":"…","apiKey":"…"}}}
//	{"auth":{"passwordCredentials":{"username":"…","password":"…"}}}
//	→ 200 {"access":{"token":{"id","expires","tenant":{"id"}},
//	        "user":{"RAX-AUTH:defaultRegion"},"serviceCatalog":[…]}}

type apiKeyCredentials struct {
	Username string `json:"username"`
	APIKey   string `json:"apiKey"`
}

type passwordCredentials struct {
	Username string `json:"username"`
	Password string `json:"password"`
}

type authRequest struct {
	Auth struct {
		APIKey   *apiKeyCredentials   `json:"RAX-KSKEY:apiKeyCredentials,omitempty"`
		Password *passwordCredentials `json:"passwordCredentials,omitempty"`
	} `json:"auth"`
}

type accessResponse struct {
	Access struct {
		Token struct {
			ID      string `json:"id"`
			Expires string `json:"expires"`
			Tenant  struct {
				ID string `json:"id"`
			} `json:"tenant"`
		} `json:"token"`
		User struct {
			DefaultRegion string `json:"RAX-AUTH:defaultRegion"`
		} `json:"user"`
		ServiceCatalog []catalogService `json:"serviceCatalog"`
	} `json:"access"`
}

// requestToken asks Identity for a token and resolves the compute
// endpoint. Its errors are classified, with op "authenticate".
func (p *Provider) requestToken(ctx context.Context) (*session, error) {
	var body authRequest
	if p.s.apiKey != "" {
		body.Auth.APIKey = &apiKeyCredentials{Username: p.s.username, APIKey: p.s.apiKey}
	} else {
		body.Auth.Password = &passwordCredentials{Username: p.s.username, Password: p.s.password}
	}
	raw, err := json.Marshal(body)
	if err != nil {
		return nil, p.fail(cloud.OpAuthenticate, err)
	}
	req, err := cloud.NewJSONRequest(ctx, http.MethodPost, p.s.tokensURL, raw)
	if err != nil {
		return nil, cloud.Invalid(cloud.OpAuthenticate, "identity URL: "+err.Error())
	}
	res, err := p.roundTrip(cloud.OpAuthenticate, req)
	if err != nil {
		return nil, err
	}
	// 203 Non-Authoritative Information is among Rackspace's documented
	// success codes for identity and GET calls.
	if res.status != http.StatusOK && res.status != http.StatusNonAuthoritativeInfo {
		return nil, p.httpError(cloud.OpAuthenticate, http.MethodPost, "tokens", res)
	}
	var access accessResponse
	if err := json.Unmarshal(res.body, &access); err != nil {
		return nil, p.fail(cloud.OpAuthenticate, fmt.Errorf("reading the token response: %w", err))
	}
	a := access.Access
	if a.Token.ID == "" {
		return nil, cloud.Malformed(cloud.OpAuthenticate, "the identity response has no access.token.id")
	}
	s := &session{token: a.Token.ID, expires: parseExpires(a.Token.Expires), tenantID: a.Token.Tenant.ID}
	if s.compute, err = p.computeEndpoint(a.ServiceCatalog, a.User.DefaultRegion, s.tenantID); err != nil {
		return nil, err
	}
	s.images, s.imagesErr = p.imagesEndpoint(a.ServiceCatalog, a.User.DefaultRegion)
	return s, nil
}

// parseExpires reads the token's expiry. An unreadable value is zero: the
// token is then renewed only when the API answers 401.
func parseExpires(v string) time.Time {
	t, err := time.Parse(time.RFC3339, v)
	if err != nil {
		return time.Time{}
	}
	return t
}
