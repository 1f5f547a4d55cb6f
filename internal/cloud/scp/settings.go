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
	// trailing slash.
	endpoint   string
	apiVersion apiVersion
	tls        *tls.Config
	warnings   []string
}

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

	// Identity and image overrides have no meaning here: the virtual
	// server endpoint serves images too, and endpoint discovery through IAM
	// is not implemented. Refusing them beats ignoring them silently.
	if strings.TrimSpace(cfg.IdentityURL) != "" {
		return nil, errors.New("spec.endpoints.identity is not used for SamsungCloudPlatform (endpoint discovery is not implemented); set spec.region or spec.endpoints.compute")
	}
	if strings.TrimSpace(cfg.ImageURL) != "" {
		return nil, errors.New("spec.endpoints.image is not used for SamsungCloudPlatform: images are served by the virtual server endpoint (spec.endpoints.compute)")
	}

	var err error
	if s.endpoint, err = endpointOf(cfg); err != nil {
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

// endpointOf is the Cloud's compute override, or the public endpoint of
// the region: https://virtualserver.{region}.{env}.samsungsdscloud.com.
func endpointOf(cfg cloud.Config) (string, error) {
	if raw := strings.TrimSpace(cfg.ComputeURL); raw != "" {
		u, err := url.Parse(raw)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" {
			return "", fmt.Errorf("spec.endpoints.compute %q is not an http(s) URL without a query", raw)
		}
		// Paths in this driver start with /v1; an override that already
		// ends in it would otherwise become /v1/v1.
		root := strings.TrimRight(raw, "/")
		root = strings.TrimSuffix(root, "/v1")
		return root, nil
	}
	region := strings.TrimSpace(cfg.Region)
	if region == "" {
		return "", errors.New("set spec.region (e.g. kr-west1) or spec.endpoints.compute: the SamsungCloudPlatform endpoint is derived from one of them")
	}
	if !regionFormat.MatchString(region) {
		return "", fmt.Errorf("spec.region %q is not an SCP region name such as kr-west1", region)
	}
	env := strings.TrimSpace(cfg.Options[OptionEnv])
	if env == "" {
		env = defaultEnv
	}
	if !envFormat.MatchString(env) {
		return "", fmt.Errorf("SCP environment %q is not a host label such as e, s or g", env)
	}
	return fmt.Sprintf("https://virtualserver.%s.%s.samsungsdscloud.com", region, env), nil
}
