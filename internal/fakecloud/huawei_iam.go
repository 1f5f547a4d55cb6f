package fakecloud

import (
	"encoding/json"
	"net/http"
	"time"
)

// IAM front: POST /huawei/iam/v3/auth/tokens, a Keystone v3 password login
// of an IAM user in its account ("domain"), scoped to a project by ID or
// by name (a region's project is named after the region). Tokens last 24
// hours and are honoured by the ECS and IMS fronts.

func (c *Cloud) huaweiIAMRoutes(w http.ResponseWriter, r *http.Request, path string) {
	c.serveLogin(w, r, dialectHuawei, path == "v3/auth/tokens", c.huaweiIssueToken, "The API does not exist")
}

func (c *Cloud) huaweiIssueToken(w http.ResponseWriter, r *http.Request) {
	var req ksAuthRequest
	if err := readJSONBody(r, &req); err != nil || req.Auth == nil || req.Auth.Identity == nil {
		writeError(w, dialectHuawei, http.StatusBadRequest, "The request body is invalid.", "")
		return
	}
	id := req.Auth.Identity
	if len(id.Methods) != 1 || id.Methods[0] != "password" || id.Password == nil || id.Password.User == nil {
		writeError(w, dialectHuawei, http.StatusBadRequest, "Only password authentication with identity.password.user is simulated.", "")
		return
	}
	if !c.huaweiUserMatches(id.Password.User) {
		writeError(w, dialectHuawei, http.StatusUnauthorized, "The username or password is wrong.", "")
		return
	}
	var scope ksScope
	if len(req.Auth.Scope) > 0 {
		_ = json.Unmarshal(req.Auth.Scope, &scope)
	}
	p := scope.Project
	switch {
	case p == nil:
		writeError(w, dialectHuawei, http.StatusBadRequest, "A project scope (auth.scope.project) is required by this simulator.", "")
		return
	case p.ID != c.opts.ProjectID && (p.ID != "" || p.Name != c.opts.Region):
		writeError(w, dialectHuawei, http.StatusUnauthorized, "The project in the scope does not exist or the user has no access to it.", "")
		return
	}
	t := c.tokens.issueWithTTL(token{
		UserID: defaultUserID, UserName: c.opts.Username,
		ProjectID: c.opts.ProjectID, ProjectName: c.opts.Region,
		Methods: []string{"password"},
	}, huaweiTokenTTL)
	w.Header().Set("X-Subject-Token", t.ID)
	w.Header().Set("X-Request-Id", newHexID(16))
	account := map[string]any{"id": huaweiDomainID, "name": huaweiAccountName}
	writeJSON(w, http.StatusCreated, map[string]any{"token": map[string]any{
		"methods":    t.Methods,
		"issued_at":  t.IssuedAt.Format(keystoneTime),
		"expires_at": t.ExpiresAt.Format(keystoneTime),
		"user": map[string]any{
			"id": t.UserID, "name": t.UserName, "domain": account, "password_expires_at": "",
		},
		"project": map[string]any{"id": t.ProjectID, "name": t.ProjectName, "domain": account},
		"roles":   []any{map[string]any{"id": "0", "name": "op_fine_grained"}},
		"catalog": []any{},
	}})
}

// huaweiUserMatches identifies the one IAM user by ID, or by name within
// the account (by account name or ID), and checks the password.
func (c *Cloud) huaweiUserMatches(u *ksUser) bool {
	if u.Password != c.opts.Password {
		return false
	}
	if u.ID != "" {
		return u.ID == defaultUserID
	}
	d := u.Domain
	return u.Name == c.opts.Username && d != nil && (d.ID == huaweiDomainID || (d.ID == "" && d.Name == huaweiAccountName))
}

// issueWithTTL issues a token with its own lifetime (IAM's 24 hours rather
// than the Keystone front's TokenTTL).
func (ts *tokenStore) issueWithTTL(t token, ttl time.Duration) token {
	t = ts.issue(t)
	t.ExpiresAt = t.IssuedAt.Add(ttl)
	ts.mu.Lock()
	if stored, ok := ts.tokens[t.ID]; ok {
		stored.ExpiresAt = t.ExpiresAt
	}
	ts.mu.Unlock()
	return t
}
