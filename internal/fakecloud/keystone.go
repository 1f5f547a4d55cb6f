package fakecloud

import (
	"encoding/json"
	"net/http"
	"strings"
)

// Keystone v3 front, mounted at /identity.

const keystoneVersionID = "v3.14"

// keystoneTime is Keystone's timestamp format (microseconds, "Z").
const keystoneTime = "2006-01-02T15:04:05.000000Z"

func (c *Cloud) keystoneRoutes(w http.ResponseWriter, r *http.Request, rest string) {
	switch strings.Trim(rest, "/") {
	case "":
		c.serve(w, r, call{op: OpIdentityVersions, dialect: dialectKeystone}, func(w http.ResponseWriter, r *http.Request) {
			// The unversioned root lists versions with 300 Multiple Choices.
			writeJSON(w, http.StatusMultipleChoices, map[string]any{
				"versions": map[string]any{"values": []any{c.keystoneVersion()}},
			})
		})
	case "v3":
		c.serve(w, r, call{op: OpIdentityVersions, dialect: dialectKeystone}, func(w http.ResponseWriter, r *http.Request) {
			writeJSON(w, http.StatusOK, map[string]any{"version": c.keystoneVersion()})
		})
	case "v3/auth/tokens":
		switch r.Method {
		case http.MethodPost:
			c.serve(w, r, call{op: OpAuth, dialect: dialectKeystone}, c.keystoneIssue)
		case http.MethodGet, http.MethodHead, http.MethodDelete:
			c.serve(w, r, call{op: OpValidateToken, dialect: dialectKeystone}, c.keystoneValidate)
		default:
			c.serve(w, r, call{op: OpOther, dialect: dialectKeystone}, func(w http.ResponseWriter, r *http.Request) {
				writeError(w, dialectKeystone, http.StatusMethodNotAllowed, "The method is not allowed for the requested URL.", "")
			})
		}
	default:
		c.serveNotFound(w, r, dialectKeystone)
	}
}

func (c *Cloud) keystoneVersion() map[string]any {
	return map[string]any{
		"id":      keystoneVersionID,
		"status":  "stable",
		"updated": "2020-04-07T00:00:00Z",
		"links":   []any{map[string]any{"rel": "self", "href": c.IdentityURL() + "/"}},
		"media-types": []any{map[string]any{
			"base": "application/json", "type": "application/vnd.openstack.identity-v3+json",
		}},
	}
}

// The parts of a v3 auth request the simulator understands.
type ksDomain struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

type ksUser struct {
	ID       string    `json:"id"`
	Name     string    `json:"name"`
	Domain   *ksDomain `json:"domain"`
	Password string    `json:"password"`
}

type ksAuthRequest struct {
	Auth *struct {
		Identity *struct {
			Methods  []string `json:"methods"`
			Password *struct {
				User *ksUser `json:"user"`
			} `json:"password"`
			AppCred *struct {
				ID     string  `json:"id"`
				Name   string  `json:"name"`
				Secret string  `json:"secret"`
				User   *ksUser `json:"user"`
			} `json:"application_credential"`
			Token *struct {
				ID string `json:"id"`
			} `json:"token"`
		} `json:"identity"`
		Scope json.RawMessage `json:"scope"`
	} `json:"auth"`
}

type ksScope struct {
	Project *struct {
		ID     string    `json:"id"`
		Name   string    `json:"name"`
		Domain *ksDomain `json:"domain"`
	} `json:"project"`
	Domain *ksDomain       `json:"domain"`
	System json.RawMessage `json:"system"`
}

// authFailure is a rejected authentication: Keystone answers 400 for a
// malformed request and 401, with a deliberately vague message, otherwise.
type authFailure struct {
	status int
	msg    string
}

var errUnauthorized = &authFailure{http.StatusUnauthorized, "The request you have made requires authentication."}

func badAuthRequest(msg string) *authFailure {
	return &authFailure{http.StatusBadRequest, msg}
}

func (c *Cloud) domainMatches(d *ksDomain) bool {
	return d != nil && (d.ID == defaultDomainID || (d.ID == "" && strings.EqualFold(d.Name, defaultDomain)))
}

// userMatches identifies the one user by ID or by name within a domain.
func (c *Cloud) userMatches(u *ksUser) (bool, *authFailure) {
	switch {
	case u == nil:
		return false, badAuthRequest("Expecting to find user in password. The server could not comply with the request since it is either malformed or otherwise incorrect. The client is assumed to be in error.")
	case u.ID != "":
		return u.ID == defaultUserID, nil
	case u.Name == "":
		return false, badAuthRequest("Expecting to find id or name in user.")
	case u.Domain == nil:
		return false, badAuthRequest("Expecting to find domain in user.")
	}
	return u.Name == c.opts.Username && c.domainMatches(u.Domain), nil
}

// checkCredentials returns the methods used, or why the request fails.
func (c *Cloud) checkCredentials(req *ksAuthRequest) (token, *authFailure) {
	if req.Auth == nil || req.Auth.Identity == nil {
		return token{}, badAuthRequest("Expecting to find identity in auth.")
	}
	id := req.Auth.Identity
	if len(id.Methods) == 0 {
		return token{}, badAuthRequest("Expecting to find methods in identity.")
	}
	base := token{
		UserID: defaultUserID, UserName: c.opts.Username,
		ProjectID: c.opts.ProjectID, ProjectName: c.opts.ProjectName,
		Methods: id.Methods,
	}
	for _, m := range id.Methods {
		switch m {
		case "password":
			if id.Password == nil {
				return token{}, badAuthRequest("Expecting to find password in identity.")
			}
			ok, fail := c.userMatches(id.Password.User)
			if fail != nil {
				return token{}, fail
			}
			if !ok || id.Password.User.Password != c.opts.Password {
				return token{}, errUnauthorized
			}
		case "application_credential":
			ac := id.AppCred
			if ac == nil || ac.Secret == "" {
				return token{}, badAuthRequest("Expecting to find secret in application_credential.")
			}
			switch {
			case ac.ID != "":
				if ac.ID != c.opts.AppCredID {
					return token{}, errUnauthorized
				}
			case ac.Name != "":
				ok, fail := c.userMatches(ac.User)
				if fail != nil {
					return token{}, fail
				}
				if !ok || ac.Name != c.opts.AppCredName {
					return token{}, errUnauthorized
				}
			default:
				return token{}, badAuthRequest("Expecting to find id or name in application_credential.")
			}
			if ac.Secret != c.opts.AppCredSecret {
				return token{}, errUnauthorized
			}
			if len(req.Auth.Scope) > 0 && string(req.Auth.Scope) != "null" {
				return token{}, &authFailure{http.StatusUnauthorized, "Application credentials cannot request a scope."}
			}
			base.AppCredID = c.opts.AppCredID
		case "token":
			if id.Token == nil {
				return token{}, badAuthRequest("Expecting to find token in identity.")
			}
			if _, ok := c.tokens.validate(id.Token.ID); !ok {
				return token{}, errUnauthorized
			}
		default:
			return token{}, errUnauthorized
		}
	}
	return base, nil
}

// checkScope accepts the one project (by ID, or by name in its domain) or
// no scope at all, which Keystone resolves to the user's default project.
func (c *Cloud) checkScope(raw json.RawMessage) *authFailure {
	if len(raw) == 0 || string(raw) == "null" || string(raw) == `"unscoped"` {
		return nil
	}
	var s ksScope
	if err := json.Unmarshal(raw, &s); err != nil {
		return badAuthRequest("Invalid input for field 'scope'.")
	}
	switch {
	case s.Project != nil && s.Project.ID != "":
		if s.Project.ID == c.opts.ProjectID {
			return nil
		}
	case s.Project != nil && s.Project.Name != "":
		if s.Project.Domain == nil {
			return badAuthRequest("Expecting to find domain in project.")
		}
		if s.Project.Name == c.opts.ProjectName && c.domainMatches(s.Project.Domain) {
			return nil
		}
	case s.Project != nil:
		return badAuthRequest("Expecting to find id or name in project.")
	}
	// Domain and system scopes: the user has no role there.
	return errUnauthorized
}

func (c *Cloud) keystoneIssue(w http.ResponseWriter, r *http.Request) {
	var req ksAuthRequest
	if err := readJSONBody(r, &req); err != nil {
		writeError(w, dialectKeystone, http.StatusBadRequest, "Malformed request body: "+err.Error(), "")
		return
	}
	t, fail := c.checkCredentials(&req)
	if fail == nil && t.AppCredID == "" {
		fail = c.checkScope(req.Auth.Scope)
	}
	if fail != nil {
		if fail.status == http.StatusUnauthorized {
			c.setWWWAuthenticate(w)
		}
		writeError(w, dialectKeystone, fail.status, fail.msg, "")
		return
	}
	t = c.tokens.issue(t)
	w.Header().Set("X-Subject-Token", t.ID)
	writeJSON(w, http.StatusCreated, map[string]any{"token": c.tokenBody(t)})
}

// keystoneValidate serves GET/HEAD (validate) and DELETE (revoke) of the
// token in X-Subject-Token, authorised by X-Auth-Token.
func (c *Cloud) keystoneValidate(w http.ResponseWriter, r *http.Request) {
	if _, ok := c.authenticate(w, r, dialectKeystone); !ok {
		return
	}
	subject, ok := c.tokens.validate(r.Header.Get("X-Subject-Token"))
	if !ok {
		writeError(w, dialectKeystone, http.StatusNotFound, "Could not find token.", "")
		return
	}
	switch r.Method {
	case http.MethodDelete:
		c.tokens.revoke(subject.ID)
		w.WriteHeader(http.StatusNoContent)
	case http.MethodHead:
		w.Header().Set("X-Subject-Token", subject.ID)
		w.WriteHeader(http.StatusOK)
	default:
		w.Header().Set("X-Subject-Token", subject.ID)
		writeJSON(w, http.StatusOK, map[string]any{"token": c.tokenBody(subject)})
	}
}

func (c *Cloud) tokenBody(t token) map[string]any {
	domain := map[string]any{"id": defaultDomainID, "name": defaultDomain}
	body := map[string]any{
		"methods":    t.Methods,
		"audit_ids":  []string{t.AuditID},
		"issued_at":  t.IssuedAt.Format(keystoneTime),
		"expires_at": t.ExpiresAt.Format(keystoneTime),
		"user": map[string]any{
			"id": t.UserID, "name": t.UserName, "domain": domain, "password_expires_at": nil,
		},
		"project": map[string]any{
			"id": t.ProjectID, "name": t.ProjectName, "domain": domain,
		},
		"is_domain": false,
		"roles": []any{
			map[string]any{"id": "9fe2ff9ee4384b1894a90878d3e92bab", "name": "member"},
			map[string]any{"id": "4b9d2c8f1e7a4c3d9a6b5e2f1c0d8a7b", "name": "reader"},
		},
		"catalog": c.catalog(),
	}
	if t.AppCredID != "" {
		body["application_credential"] = map[string]any{
			"id": t.AppCredID, "name": c.opts.AppCredName, "restricted": true,
		}
	}
	return body
}

// catalog lists the services with public, internal and admin endpoints.
// Compute is the modern versioned URL without a project ID; Glance is
// unversioned (clients append /v2); compute_legacy is the /v2/{project_id}
// form that older and public clouds publish.
func (c *Cloud) catalog() []any {
	service := func(typ, name, url string) map[string]any {
		var eps []any
		for _, iface := range []string{"public", "internal", "admin"} {
			eps = append(eps, map[string]any{
				"id":        newHexID(16),
				"interface": iface,
				"region_id": c.opts.Region,
				"region":    c.opts.Region,
				"url":       url,
			})
		}
		return map[string]any{"id": newHexID(16), "type": typ, "name": name, "endpoints": eps}
	}
	return []any{
		service("identity", "keystone", c.URL()+"/identity"),
		service("compute", "nova", c.URL()+"/compute/v2.1"),
		service("compute_legacy", "nova_legacy", c.URL()+"/compute/v2/"+c.opts.ProjectID),
		service("image", "glance", c.URL()+"/image"),
		service("block-storage", "cinder", c.URL()+"/volume/v3/"+c.opts.ProjectID),
	}
}
