package rackspace

import (
	"crypto/tls"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"github.com/serverimage-operator/serverimage-operator/internal/cloud"
)

// DefaultIdentityURL is Rackspace Identity v2.0 (the same for every
// region).
const DefaultIdentityURL = "https://identity.api.rackspacecloud.com/v2.0"

// DefaultMaxImageMeta is the documented default of the absolute limit
// maxImageMeta: metadata pairs per image.
const DefaultMaxImageMeta = 40

// OptionMaxImageMeta in cloud.Config.Options overrides DefaultMaxImageMeta
// for an account whose limit was raised (GET /limits shows it).
const OptionMaxImageMeta = "maxImageMeta"

// Secret keys.
const (
	keyUsername = "username"
	keyAPIKey   = "apiKey"
	keyPassword = "password"
	keyCACert   = "cacert"
)

// settings is everything New resolves from cloud.Config without calling
// the cloud. It is immutable afterwards.
type settings struct {
	username string
	// apiKey or password: exactly one is set (the API key wins when the
	// Secret has both, as it is the credential Rackspace recommends for
	// API use).
	apiKey, password string

	// tokensURL is the identity endpoint's POST …/v2.0/tokens.
	tokensURL string
	// region is the Cloud's region; "" means the user's default region.
	region string
	// endpointField is the catalog URL to use: publicURL or internalURL
	// (ServiceNet).
	endpointField string
	// computeURL overrides the catalog; tenant placeholders are filled in
	// from tenantID or the token's tenant.
	computeURL string
	tenantID   string

	maxImageMeta int
	tls          *tls.Config
	// secrets are scrubbed from every error message.
	secrets []string
}

// TLS is the client TLS configuration, for cloud.Setup.
func (s *settings) TLS() *tls.Config { return s.tls }

func newSettings(cfg cloud.Config) (*settings, error) {
	cred := func(k string) string { return string(cfg.Credentials[k]) }
	s := &settings{
		// Secrets written from files often end in a newline; user names
		// and API keys never contain whitespace.
		username:     strings.TrimSpace(cred(keyUsername)),
		apiKey:       strings.TrimSpace(cred(keyAPIKey)),
		password:     strings.TrimRight(cred(keyPassword), "\r\n"),
		region:       strings.TrimSpace(cfg.Region),
		computeURL:   strings.TrimSpace(cfg.ComputeURL),
		tenantID:     strings.TrimSpace(cfg.ProjectID),
		maxImageMeta: DefaultMaxImageMeta,
	}
	switch {
	case s.username == "":
		return nil, fmt.Errorf("the credentials Secret has no %q key (the Rackspace user name)", keyUsername)
	case s.apiKey == "" && s.password == "":
		return nil, fmt.Errorf("the credentials Secret has neither an %q nor a %q key", keyAPIKey, keyPassword)
	case s.apiKey != "":
		s.password = ""
	}
	s.secrets = cloud.NonEmpty(s.apiKey, s.password)

	identity := strings.TrimSpace(cfg.IdentityURL)
	if identity == "" {
		identity = DefaultIdentityURL
	}
	var err error
	if s.tokensURL, err = tokensURL(identity); err != nil {
		return nil, fmt.Errorf("identity URL: %w", err)
	}
	if s.computeURL != "" {
		if err := cloud.CheckHTTPURL(s.computeURL); err != nil {
			return nil, fmt.Errorf("compute URL: %w", err)
		}
	}
	if s.endpointField, err = endpointField(cfg.Interface); err != nil {
		return nil, err
	}
	if err := unsupported(cfg); err != nil {
		return nil, err
	}
	if v := strings.TrimSpace(cfg.Options[OptionMaxImageMeta]); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return nil, fmt.Errorf("option %s %q is not a positive integer", OptionMaxImageMeta, v)
		}
		s.maxImageMeta = n
	}
	ca := cfg.Credentials[keyCACert]
	if len(strings.TrimSpace(string(ca))) == 0 {
		ca = nil
	}
	if s.tls, err = cloud.TLSConfig(ca, cfg.InsecureSkipTLSVerify); err != nil {
		return nil, fmt.Errorf("CA bundle (Secret key %q): %w", keyCACert, err)
	}
	return s, nil
}

// unsupported refuses Cloud settings that mean something for OpenStack but
// cannot be honoured here, rather than ignoring them silently.
func unsupported(cfg cloud.Config) error {
	switch {
	case strings.TrimSpace(cfg.ComputeMicroversion) != "":
		return errors.New("computeMicroversion is not supported for Rackspace: Cloud Servers API v2 has no microversions")
	case strings.TrimSpace(cfg.ImageURL) != "":
		return errors.New("endpoints.image is not used for Rackspace: images are read through the Cloud Servers API (set endpoints.compute instead)")
	case cfg.ImagePollAPI != "" && !strings.EqualFold(cfg.ImagePollAPI, "ComputeImages"):
		return fmt.Errorf("imagePollAPI %q is not supported for Rackspace: images are always read through the Cloud Servers images API (ComputeImages)", cfg.ImagePollAPI)
	}
	return nil
}

// tokensURL accepts the identity root with or without the version and
// with or without "/tokens": ".../v2.0", ".../v2.0/tokens", or a bare host
// (then v2.0 is assumed).
func tokensURL(identity string) (string, error) {
	if err := cloud.CheckHTTPURL(identity); err != nil {
		return "", err
	}
	u, _ := url.Parse(identity)
	path := strings.TrimRight(u.Path, "/")
	switch {
	case strings.HasSuffix(path, "/tokens"):
	case path == "":
		path = "/v2.0/tokens"
	default:
		path += "/tokens"
	}
	u.Path, u.RawPath = path, ""
	return u.String(), nil
}

// endpointField maps the Cloud's interface to the catalog field.
func endpointField(iface string) (string, error) {
	switch strings.ToLower(strings.TrimSuffix(strings.TrimSpace(iface), "URL")) {
	case "", "public":
		return "publicURL", nil
	case "internal":
		return "internalURL", nil
	}
	return "", fmt.Errorf("interface %q is not supported for Rackspace (public or internal)", iface)
}
