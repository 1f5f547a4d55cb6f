package scp

import (
	"crypto/tls"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/serverimage-operator/serverimage-operator/internal/cloud"
)

// Secret keys.
const (
	keyAccessKey = "accessKey"
	keySecretKey = "secretKey"
	keyAccountID = "accountId"
	keyCACert    = "cacert"
)

// Options keys (cloud.Config.Options). The Cloud API has no SCP fields
// yet; the reconciler fills these once it has.
const (
	// OptionAPIVersion is the Scp-Api-Version sent: "1.3" or
	// "virtualserver 1.3" (default DefaultAPIVersion).
	OptionAPIVersion = cloud.OptionSCPAPIVersion
	// OptionEnv is the environment part of the endpoint host
	// (virtualserver.{region}.{env}.samsungsdscloud.com), default "e".
	OptionEnv = cloud.OptionSCPEnvironment
)

// defaultEnv is the environment of SCP's public regions.
const defaultEnv = "e"

// credentials are the Secret's values. They stay inside the signer and
// are scrubbed from every error message.
type credentials struct {
	accessKey, secretKey, accountID string
}

// settings is everything New resolves from cloud.Config without calling
// the cloud. It is immutable afterwards.
type settings struct {
	creds credentials
	// endpoint is the virtual server API root, without /v1 and without a
	// trailing slash; empty when it is to be read from the catalog.
	endpoint string
	// catalogURL is {auth_url}/endpoints when the endpoint is discovered
	// (catalog.go); region picks the entry.
	catalogURL string
	region     string
	apiVersion apiVersion
	tls        *tls.Config
	warnings   []string
}

// TLS is the client TLS configuration, for cloud.Setup.
func (s *settings) TLS() *tls.Config { return s.tls }

var (
	regionFormat = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)
	envFormat    = regexp.MustCompile(`^[a-z0-9]+$`)
)

func newSettings(cfg cloud.Config, now time.Time) (*settings, error) {
	s := &settings{creds: credentials{
		// Keys pasted into a Secret often carry a trailing newline, which
		// would silently break every signature; keys never contain spaces.
		accessKey: strings.TrimSpace(string(cfg.Credentials[keyAccessKey])),
		secretKey: strings.TrimSpace(string(cfg.Credentials[keySecretKey])),
		accountID: strings.TrimSpace(string(cfg.Credentials[keyAccountID])),
	}}
	var missing []string
	if s.creds.accessKey == "" {
		missing = append(missing, keyAccessKey)
	}
	if s.creds.secretKey == "" {
		missing = append(missing, keySecretKey)
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("the credentials Secret has no %s (SamsungCloudPlatform needs the keys %s and %s, optionally %s)",
			strings.Join(missing, " and "), keyAccessKey, keySecretKey, keyAccountID)
	}

	// The virtual server endpoint serves images too: an image override
	// would be ignored, and refusing it beats ignoring it silently.
	if strings.TrimSpace(cfg.ImageURL) != "" {
		return nil, errors.New("spec.endpoints.image is not used for SamsungCloudPlatform: images are served by the virtual server endpoint (spec.endpoints.compute)")
	}

	var err error
	if s.endpoint, s.catalogURL, s.region, err = endpointOf(cfg); err != nil {
		return nil, err
	}
	if s.apiVersion, err = parseAPIVersion(cfg.Options[OptionAPIVersion]); err != nil {
		return nil, err
	}
	s.warnings = s.apiVersion.warnings(now)

	tc, err := cloud.TLSConfig(cfg.Credentials[keyCACert], cfg.InsecureSkipTLSVerify)
	if err != nil {
		return nil, fmt.Errorf("CA bundle (Secret key %s): %w", keyCACert, err)
	}
	s.tls = tc
	return s, nil
}

// endpointOf decides where the virtual server endpoint comes from, in
// this order: the Cloud's compute override; the account's endpoint
// catalog under the identity (auth) URL, as Samsung's SDK finds it; the
// public hostname of the region,
// https://virtualserver.{region}.{env}.samsungsdscloud.com. It returns
// either the endpoint or the catalog URL, and the region.
func endpointOf(cfg cloud.Config) (endpoint, catalogURL, region string, err error) {
	if raw := strings.TrimSpace(cfg.ComputeURL); raw != "" {
		root, err := apiRoot(raw)
		if err != nil {
			return "", "", "", fmt.Errorf("spec.endpoints.compute: %w", err)
		}
		return root, "", "", nil
	}
	region = strings.TrimSpace(cfg.Region)
	if region != "" && !regionFormat.MatchString(region) {
		return "", "", "", fmt.Errorf("spec.region %q is not an SCP region name such as kr-west1", region)
	}
	if raw := strings.TrimSpace(cfg.IdentityURL); raw != "" {
		if !isHTTPURL(raw) {
			return "", "", "", fmt.Errorf("spec.endpoints.identity %q is not an http(s) URL without a query", raw)
		}
		// The region may stay empty: a catalog with one virtual server
		// endpoint needs no choice (catalog.go).
		return "", strings.TrimRight(raw, "/") + "/endpoints", region, nil
	}
	if region == "" {
		return "", "", "", errors.New("set spec.region (e.g. kr-west1), spec.endpoints.identity (the IAM URL whose endpoint catalog names the virtual server endpoint) or spec.endpoints.compute")
	}
	env := strings.TrimSpace(cfg.Options[OptionEnv])
	if env == "" {
		env = defaultEnv
	}
	if !envFormat.MatchString(env) {
		return "", "", "", fmt.Errorf("SCP environment %q is not a host label such as e, s or g", env)
	}
	return fmt.Sprintf("https://virtualserver.%s.%s.samsungsdscloud.com", region, env), "", region, nil
}

// apiRoot checks an endpoint URL (an override, or a catalog entry) and
// returns it without trailing slash and /v1: paths in this driver start
// with /v1, so an endpoint that already ends in it would become /v1/v1.
func apiRoot(raw string) (string, error) {
	if !isHTTPURL(raw) {
		return "", fmt.Errorf("%q is not an http(s) URL without a query", raw)
	}
	return strings.TrimSuffix(strings.TrimRight(raw, "/"), "/v1"), nil
}

func isHTTPURL(raw string) bool {
	u, err := url.Parse(raw)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != "" && u.RawQuery == ""
}
