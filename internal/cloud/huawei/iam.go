package huawei

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"sync"
	"time"

	"github.com/serverimage-operator/serverimage-operator/internal/cloud"
)

// IAM tokens live 24 hours. One is fetched on first use and shared;
// it is renewed a little before it expires, so that no request fails
// half-way for want of a token, and after a 401 (client.go).
const (
	defaultTokenLifetime = 24 * time.Hour
	tokenRefreshMargin   = 10 * time.Minute
)

// tokenCache holds the current IAM token.
type tokenCache struct {
	// sem serialises logins (a one-slot semaphore, so that waiting
	// respects ctx) so that many reconciles do not log in at once.
	sem chan struct{}

	mu      sync.Mutex
	token   string
	expires time.Time
	project string
}

func (c *tokenCache) valid(now time.Time) (string, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.token, c.token != "" && now.Add(tokenRefreshMargin).Before(c.expires)
}

func (c *tokenCache) current() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.token
}

// drop forgets tok if it is still the current token; a newer one that
// another caller fetched meanwhile is kept.
func (c *tokenCache) drop(tok string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.token == tok {
		c.token, c.expires = "", time.Time{}
	}
}

func (c *tokenCache) projectID() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.project
}

// token returns a valid IAM token, logging in when there is none.
func (p *Provider) token(ctx context.Context) (string, error) {
	if tok, ok := p.tokens.valid(p.now()); ok {
		return tok, nil
	}
	select {
	case p.tokens.sem <- struct{}{}:
	case <-ctx.Done():
		return "", p.transportError(cloud.OpAuthenticate, ctx.Err())
	}
	defer func() { <-p.tokens.sem }()
	if tok, ok := p.tokens.valid(p.now()); ok {
		return tok, nil
	}
	tok, exp, project, err := p.login(ctx)
	if err != nil {
		return "", err
	}
	p.tokens.mu.Lock()
	p.tokens.token, p.tokens.expires, p.tokens.project = tok, exp, project
	p.tokens.mu.Unlock()
	return tok, nil
}

// iamAuthRequest is the Keystone v3 password login IAM accepts.
type iamAuthRequest struct {
	Auth struct {
		Identity struct {
			Methods  []string `json:"methods"`
			Password struct {
				User iamUser `json:"user"`
			} `json:"password"`
		} `json:"identity"`
		Scope struct {
			Project iamRef `json:"project"`
		} `json:"scope"`
	} `json:"auth"`
}

type iamUser struct {
	ID       string  `json:"id,omitempty"`
	Name     string  `json:"name,omitempty"`
	Password string  `json:"password"`
	Domain   *iamRef `json:"domain,omitempty"`
}

type iamRef struct {
	ID   string `json:"id,omitempty"`
	Name string `json:"name,omitempty"`
}

// iamAuthReply is the part of the token body the driver reads.
type iamAuthReply struct {
	Token struct {
		ExpiresAt string `json:"expires_at"`
		Project   struct {
			ID string `json:"id"`
		} `json:"project"`
	} `json:"token"`
}

func (p *Provider) loginBody() iamAuthRequest {
	c := p.s.iam
	var b iamAuthRequest
	b.Auth.Identity.Methods = []string{"password"}
	u := iamUser{ID: c.userID, Name: c.userName, Password: c.password}
	if c.userID != "" {
		// A user ID is unique on its own; a name needs its account.
		u.Name = ""
	} else {
		u.Domain = &iamRef{ID: c.domainID, Name: c.domainName}
		if c.domainID != "" {
			u.Domain.Name = ""
		}
	}
	b.Auth.Identity.Password.User = u
	b.Auth.Scope.Project = iamRef{ID: c.scopeProjectID, Name: c.scopeProjectName}
	return b
}

// login posts the password to IAM and returns the token (header
// X-Subject-Token), its expiry and its project.
func (p *Provider) login(ctx context.Context) (tok string, exp time.Time, project string, err error) {
	payload, err := json.Marshal(p.loginBody())
	if err != nil {
		return "", time.Time{}, "", cloud.Invalid(cloud.OpAuthenticate, "encoding the IAM login: "+err.Error())
	}
	req, err := cloud.NewJSONRequest(ctx, http.MethodPost, p.s.iamURL+"/v3/auth/tokens", payload)
	if err != nil {
		return "", time.Time{}, "", cloud.Invalid(cloud.OpAuthenticate, "building the IAM login: "+err.Error())
	}
	req.Header.Set("Content-Type", "application/json;charset=utf8")
	resp, err := p.iamClient.Do(req)
	if err != nil {
		return "", time.Time{}, "", p.transportError(cloud.OpAuthenticate, err)
	}
	defer func() { _ = resp.Body.Close() }()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxResponseBody))
	if resp.StatusCode != http.StatusCreated && resp.StatusCode != http.StatusOK {
		return "", time.Time{}, "", p.httpError(cloud.OpAuthenticate, resp.StatusCode, resp.Header, body)
	}
	if err != nil {
		return "", time.Time{}, "", p.transportError(cloud.OpAuthenticate, err)
	}
	tok = resp.Header.Get("X-Subject-Token")
	if tok == "" {
		return "", time.Time{}, "", cloud.Malformed(cloud.OpAuthenticate, "IAM accepted the login but sent no X-Subject-Token header")
	}
	var r iamAuthReply
	_ = json.Unmarshal(body, &r) // the body is informative; the token is in the header
	exp, perr := time.Parse(time.RFC3339Nano, r.Token.ExpiresAt)
	if perr != nil {
		exp = p.now().Add(defaultTokenLifetime)
	}
	return tok, exp, r.Token.Project.ID, nil
}

// projectID is the project in ECS paths: the Cloud's, else the token's.
func (p *Provider) projectID(ctx context.Context) (string, error) {
	if p.s.projectID != "" {
		return p.s.projectID, nil
	}
	if _, err := p.token(ctx); err != nil {
		return "", err
	}
	if id := p.tokens.projectID(); id != "" {
		return id, nil
	}
	return "", cloud.Malformed(cloud.OpAuthenticate, "the IAM token names no project; set spec.projectID")
}
