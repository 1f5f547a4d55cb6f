package openstack

import (
	"cmp"
	"crypto/tls"
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/gophercloud/gophercloud/v2"

	"github.com/serverimage-operator/serverimage-operator/internal/cloud"
)

// Poll APIs (cloud.Config.ImagePollAPI).
const (
	pollGlance        = "Glance"
	pollComputeImages = "ComputeImages"
)

// settings is everything New resolves from cloud.Config without calling the
// cloud. It is immutable afterwards.
type settings struct {
	cloudName    string
	auth         gophercloud.AuthOptions
	region       string
	availability gophercloud.Availability
	// computeURL and imageURL are the Cloud's overrides, project
	// placeholders not yet filled in.
	computeURL string
	imageURL   string
	projectID  string
	// microversion is the pinned compute microversion, "" to negotiate.
	microversion string
	pollAPI      string
	tls          *tls.Config
	// verifyOff records that clouds.yaml said "verify: false", which is not
	// honoured (see tlsSettings); TLS errors then say so.
	verifyOff bool
	// secrets are scrubbed from every error message.
	secrets []string
}

// TLS is the client TLS configuration, for cloud.Setup.
func (s *settings) TLS() *tls.Config { return s.tls }

var microversionFormat = regexp.MustCompile(`^[0-9]+\.[0-9]+$`)

func newSettings(cfg cloud.Config) (*settings, error) {
	entry, name, err := parseCloudsYAML(cfg.Credentials["clouds.yaml"], cfg.CloudName)
	if err != nil {
		return nil, err
	}
	s := &settings{
		cloudName:    name,
		region:       cmp.Or(cfg.Region, entry.region()),
		computeURL:   strings.TrimSpace(cfg.ComputeURL),
		imageURL:     strings.TrimSpace(cfg.ImageURL),
		projectID:    strings.TrimSpace(cfg.ProjectID),
		microversion: strings.TrimSpace(cfg.ComputeMicroversion),
	}
	prefix := fmt.Sprintf("clouds.yaml entry %q: ", name)

	if s.availability, err = availability(cmp.Or(cfg.Interface, entry.EndpointType, entry.Interface)); err != nil {
		return nil, err
	}
	if s.microversion != "" && !microversionFormat.MatchString(s.microversion) {
		return nil, fmt.Errorf("compute microversion %q is not of the form 2.45", s.microversion)
	}
	switch {
	case cfg.ImagePollAPI == "" || strings.EqualFold(cfg.ImagePollAPI, pollGlance):
		s.pollAPI = pollGlance
	case strings.EqualFold(cfg.ImagePollAPI, pollComputeImages):
		s.pollAPI = pollComputeImages
	default:
		return nil, fmt.Errorf("image poll API %q is not one of %s, %s", cfg.ImagePollAPI, pollGlance, pollComputeImages)
	}
	for _, u := range []struct{ what, v string }{{"compute URL", s.computeURL}, {"image URL", s.imageURL}} {
		if u.v != "" {
			if err := cloud.CheckHTTPURL(u.v); err != nil {
				return nil, fmt.Errorf("%s: %w", u.what, err)
			}
		}
	}
	switch v := strings.TrimPrefix(entry.IdentityAPIVersion, "v"); v {
	case "", "3":
	default:
		return nil, fmt.Errorf("%sidentity_api_version %q is not supported (Keystone v3 only)", prefix, entry.IdentityAPIVersion)
	}

	if identity := cmp.Or(strings.TrimSpace(cfg.IdentityURL), entry.Auth.AuthURL); identity == "" {
		if entry.Profile != "" || entry.Cloud != "" {
			return nil, fmt.Errorf("%sit names a vendor profile, which needs clouds-public.yaml that the operator does not read; set auth.auth_url or the Cloud's identity URL", prefix)
		}
		return nil, fmt.Errorf("%sno auth.auth_url (and the Cloud sets no identity URL)", prefix)
	} else if err := cloud.CheckHTTPURL(identity); err != nil {
		return nil, fmt.Errorf("identity URL: %w", err)
	}
	if s.auth, err = authOptions(entry, cfg); err != nil {
		return nil, fmt.Errorf("%s%w", prefix, err)
	}
	s.secrets = cloud.NonEmpty(s.auth.Password, s.auth.ApplicationCredentialSecret)

	if s.tls, s.verifyOff, err = tlsSettings(entry, cfg); err != nil {
		return nil, fmt.Errorf("%s%w", prefix, err)
	}
	return s, nil
}

// authOptions maps the entry to gophercloud's Keystone v3 options: password
// or application credential, with the scope rules of openstacksdk (user
// domain from user_domain_* else domain_*, project scope by ID or by name
// within project_domain_* else domain_*). Application credentials carry
// their own project, so they get no scope.
func authOptions(e *cloudEntry, cfg cloud.Config) (gophercloud.AuthOptions, error) {
	a := e.Auth
	ao := gophercloud.AuthOptions{
		IdentityEndpoint: cmp.Or(strings.TrimSpace(cfg.IdentityURL), a.AuthURL),
		// Re-authentication on 401 needs the credentials kept in memory.
		AllowReauth: true,
	}
	if a.SystemScope != "" && a.SystemScope != "all" {
		return ao, errors.New(`system_scope must be "all"`)
	}
	if a.Token != "" {
		return ao, errors.New("token authentication is not supported (a token expires and cannot be renewed); use a password or an application credential")
	}
	appCred := a.ApplicationCredentialID != "" || a.ApplicationCredentialName != ""
	switch strings.ToLower(e.AuthType) {
	case "":
		appCred = appCred && a.Password == ""
	case "password", "v3password":
		appCred = false
	case "v3applicationcredential", "applicationcredential", "application_credential":
		appCred = true
	default:
		return ao, fmt.Errorf("auth_type %q is not supported; use password or v3applicationcredential", e.AuthType)
	}

	ao.Username, ao.UserID = a.Username, a.UserID
	ao.DomainID, ao.DomainName = pickOne(a.UserDomainID, a.UserDomainName, a.DomainID, a.DomainName, a.DefaultDomain)
	if appCred {
		if a.ApplicationCredentialSecret == "" {
			return ao, errors.New("application credential without application_credential_secret")
		}
		ao.ApplicationCredentialID = a.ApplicationCredentialID
		ao.ApplicationCredentialName = a.ApplicationCredentialName
		ao.ApplicationCredentialSecret = a.ApplicationCredentialSecret
		if ao.ApplicationCredentialID != "" {
			// An ID alone identifies the credential; a user next to it
			// would only make gophercloud's validation reject the request.
			ao.Username, ao.UserID, ao.DomainID, ao.DomainName = "", "", "", ""
		}
	} else {
		if a.Password == "" {
			return ao, errors.New("no auth.password (or application credential)")
		}
		ao.Password = a.Password
		if ao.Username != "" && ao.UserID != "" {
			// The ID is unambiguous; gophercloud refuses both.
			ao.Username, ao.DomainID, ao.DomainName = "", "", ""
		}
		if ao.UserID != "" {
			ao.DomainID, ao.DomainName = "", ""
		}
		ao.Scope = scope(a, cfg.ProjectID)
	}
	if err := validateAuth(ao); err != nil {
		return ao, err
	}
	return ao, nil
}

func scope(a authSection, cfgProject string) *gophercloud.AuthScope {
	switch {
	case a.TrustID != "":
		return &gophercloud.AuthScope{TrustID: a.TrustID}
	case a.SystemScope != "":
		return &gophercloud.AuthScope{System: true}
	case cmp.Or(a.ProjectID, a.TenantID) != "":
		return &gophercloud.AuthScope{ProjectID: cmp.Or(a.ProjectID, a.TenantID)}
	case cmp.Or(a.ProjectName, a.TenantName) != "":
		id, name := pickOne(a.ProjectDomainID, a.ProjectDomainName, a.DomainID, a.DomainName, a.DefaultDomain)
		return &gophercloud.AuthScope{ProjectName: cmp.Or(a.ProjectName, a.TenantName), DomainID: id, DomainName: name}
	case cfgProject != "":
		// The Cloud's projectID scopes a user whose clouds.yaml names none.
		return &gophercloud.AuthScope{ProjectID: cfgProject}
	}
	return nil
}

// validateAuth runs gophercloud's own request validation on a copy (the
// scope builder writes to its receiver), so that a clouds.yaml missing a
// domain fails in New with gophercloud's explanation instead of at the
// first reconcile. Its messages name fields, never values.
func validateAuth(ao gophercloud.AuthOptions) error {
	probe := ao
	if ao.Scope != nil {
		sc := *ao.Scope
		probe.Scope = &sc
	}
	sm, err := probe.ToTokenV3ScopeMap()
	if err != nil {
		return err
	}
	if _, err := probe.ToTokenV3CreateMap(sm); err != nil {
		return err
	}
	return nil
}

// tlsSettings builds the TLS configuration. The CA bundle comes from the
// Secret's "cacert" key, or from clouds.yaml's cacert when it holds the PEM
// inline: a path there points into someone's workstation and cannot be
// read in the operator pod, so it is refused with a hint rather than
// ignored (ignoring it would turn into puzzling TLS errors later). The
// Secret's key wins over clouds.yaml. "verify: false" is not honoured: the
// Cloud's insecureSkipTLSVerify is the one explicit opt-out.
func tlsSettings(e *cloudEntry, cfg cloud.Config) (*tls.Config, bool, error) {
	verifyOff := e.Verify != nil && !*e.Verify
	ca := cfg.Credentials["cacert"]
	if len(strings.TrimSpace(string(ca))) == 0 {
		ca = nil
		switch {
		case isPEM(e.CACert):
			ca = []byte(e.CACert)
		case strings.TrimSpace(e.CACert) != "":
			return nil, verifyOff, errors.New(`cacert is a file path, which the operator cannot read; put the PEM bundle in the credentials Secret under the key "cacert"`)
		}
	}
	tc, err := cloud.TLSConfig(ca, cfg.InsecureSkipTLSVerify)
	if err != nil {
		return nil, verifyOff, fmt.Errorf("CA bundle: %w", err)
	}
	switch {
	case e.Cert == "" && e.Key == "":
	case isPEM(e.Cert) && isPEM(e.Key):
		pair, err := tls.X509KeyPair([]byte(e.Cert), []byte(e.Key))
		if err != nil {
			return nil, verifyOff, errors.New("cert/key do not form a valid client certificate")
		}
		if tc == nil {
			tc = &tls.Config{MinVersion: tls.VersionTLS12}
		}
		tc.Certificates = []tls.Certificate{pair}
	default:
		return nil, verifyOff, errors.New("cert and key must both be inline PEM (file paths cannot be read in the operator pod)")
	}
	return tc, verifyOff, nil
}

func availability(iface string) (gophercloud.Availability, error) {
	switch strings.ToLower(strings.TrimSuffix(strings.TrimSpace(iface), "URL")) {
	case "", "public":
		return gophercloud.AvailabilityPublic, nil
	case "internal":
		return gophercloud.AvailabilityInternal, nil
	case "admin":
		return gophercloud.AvailabilityAdmin, nil
	}
	return "", fmt.Errorf("interface %q is not one of public, internal, admin", iface)
}

func isPEM(s string) bool { return strings.Contains(s, "-----BEGIN ") }

// pickOne returns the first non-empty of id/name pairs in order, as (id,
// name) with only one set: gophercloud rejects a domain given both ways.
// Arguments alternate id, name, id, name, … with an optional trailing id.
func pickOne(vals ...string) (id, name string) {
	for i, v := range vals {
		if v == "" {
			continue
		}
		if i%2 == 0 {
			return v, ""
		}
		return "", v
	}
	return "", ""
}
