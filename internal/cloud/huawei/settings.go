package huawei

import (
	"cmp"
	"crypto/tls"
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/serverimage-operator/serverimage-operator/internal/cloud"
)

// Secret keys (Cloud.spec.credentialsSecretRef).
const (
	keyAccessKey     = "accessKey"
	keySecretKey     = "secretKey"
	keySecurityToken = "securityToken"
	keyCloudsYAML    = "clouds.yaml"
	keyCACert        = "cacert"
)

// defaultMicroversion is the lowest compute microversion whose createImage
// answer carries the image ID in the body (ECS documents 2.45).
const defaultMicroversion = "2.45"

// authMode is how requests are authenticated.
type authMode int

const (
	// modeAKSK signs every request with the access key pair.
	modeAKSK authMode = iota
	// modeToken sends an IAM token obtained with a password (clouds.yaml).
	modeToken
)

// settings is everything New resolves from cloud.Config without calling the
// cloud. It is immutable afterwards.
type settings struct {
	mode authMode

	accessKey, secretKey, securityToken string

	// iamURL is the IAM root (no /v3); used in token mode only.
	iamURL string
	iam    iamCredentials

	region string
	// projectID is the Cloud's (or clouds.yaml's) project; in token mode
	// it may be empty and is then taken from the token.
	projectID string
	ecsURL    string
	imsURL    string

	microversion string
	tls          *tls.Config
	// secrets are scrubbed from every error message.
	secrets []string
}

// TLS is the client TLS configuration, for cloud.Setup.
func (s *settings) TLS() *tls.Config { return s.tls }

// iamCredentials is a password login in Keystone v3 form.
type iamCredentials struct {
	userName, userID, password string
	// domainName / domainID: the account the IAM user belongs to.
	domainName, domainID string
	// scope: project ID, else project name (the region name on Huawei).
	scopeProjectID, scopeProjectName string
}

var (
	regionFormat       = regexp.MustCompile(`^[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?$`)
	microversionFormat = regexp.MustCompile(`^2\.[0-9]+$`)
)

func newSettings(cfg cloud.Config) (*settings, error) {
	s := &settings{
		region:       strings.TrimSpace(cfg.Region),
		projectID:    strings.TrimSpace(cfg.ProjectID),
		microversion: strings.TrimSpace(cfg.ComputeMicroversion),
	}
	if s.microversion == "" {
		s.microversion = defaultMicroversion
	}
	if !microversionFormat.MatchString(s.microversion) {
		return nil, fmt.Errorf("compute microversion %q is not of the form 2.45", s.microversion)
	}
	if p := cfg.ImagePollAPI; p != "" && !strings.EqualFold(p, "Glance") {
		return nil, fmt.Errorf("imagePollAPI %q is not supported for HuaweiCloud: images are always read from IMS", p)
	}

	ak, sk := secretValue(cfg, keyAccessKey), secretValue(cfg, keySecretKey)
	yamlDoc := cfg.Credentials[keyCloudsYAML]
	hasYAML := strings.TrimSpace(string(yamlDoc)) != ""
	switch {
	case (ak != "" || sk != "") && hasYAML:
		return nil, errors.New("the credentials Secret has both accessKey/secretKey and clouds.yaml; keep one of them (AK/SK or IAM password)")
	case ak != "" || sk != "":
		if err := s.akskSettings(cfg, ak, sk); err != nil {
			return nil, err
		}
	case hasYAML:
		if err := s.tokenSettings(cfg, yamlDoc); err != nil {
			return nil, err
		}
	default:
		return nil, errors.New("the credentials Secret needs accessKey and secretKey (AK/SK signing) or clouds.yaml (IAM password)")
	}

	if s.region != "" && !regionFormat.MatchString(s.region) {
		return nil, fmt.Errorf("region %q is not a Huawei Cloud region name such as cn-north-4", s.region)
	}
	var err error
	if s.ecsURL, err = endpoint(cfg.ComputeURL, "ecs", s.region, trimComputeSuffix); err != nil {
		return nil, fmt.Errorf("compute (ECS) endpoint: %w", err)
	}
	if s.imsURL, err = endpoint(cfg.ImageURL, "ims", s.region, trimVersion("v2")); err != nil {
		return nil, fmt.Errorf("image (IMS) endpoint: %w", err)
	}

	ca := cfg.Credentials[keyCACert]
	if strings.TrimSpace(string(ca)) == "" {
		ca = nil
	}
	if s.tls, err = cloud.TLSConfig(ca, cfg.InsecureSkipTLSVerify); err != nil {
		return nil, fmt.Errorf("CA bundle (Secret key %s): %w", keyCACert, err)
	}
	s.secrets = cloud.NonEmpty(s.accessKey, s.secretKey, s.securityToken, s.iam.password)
	return s, nil
}

func (s *settings) akskSettings(cfg cloud.Config, ak, sk string) error {
	switch {
	case ak == "":
		return fmt.Errorf("the credentials Secret has %s but no %s", keySecretKey, keyAccessKey)
	case sk == "":
		return fmt.Errorf("the credentials Secret has %s but no %s", keyAccessKey, keySecretKey)
	case s.projectID == "":
		// The SDK looks the ID up by region name through IAM (and panics
		// when that fails); asking for it keeps IAM permissions out of the
		// operator's needs and the failure mode obvious.
		return errors.New("spec.projectID is required with AK/SK: the project ID of the region (console: My Credentials > API Credentials)")
	}
	s.mode = modeAKSK
	s.accessKey, s.secretKey = ak, sk
	s.securityToken = secretValue(cfg, keySecurityToken)
	return nil
}

func (s *settings) tokenSettings(cfg cloud.Config, doc []byte) error {
	e, err := parseCloudsYAML(doc, cfg.CloudName)
	if err != nil {
		return err
	}
	if s.region == "" {
		s.region = strings.TrimSpace(e.RegionName)
	}
	a := e.Auth
	switch strings.ToLower(e.AuthType) {
	case "", "password", "v3password":
	default:
		return fmt.Errorf("clouds.yaml auth_type %q is not supported for HuaweiCloud; use password (or AK/SK keys)", e.AuthType)
	}
	c := iamCredentials{
		userName: a.Username, userID: a.UserID, password: a.Password,
		domainName: cmp.Or(a.UserDomainName, a.DomainName),
		domainID:   cmp.Or(a.UserDomainID, a.DomainID),
	}
	switch {
	case c.password == "":
		return errors.New("clouds.yaml has no auth.password")
	case c.userName == "" && c.userID == "":
		return errors.New("clouds.yaml has no auth.username (or auth.user_id)")
	case c.userID == "" && c.domainName == "" && c.domainID == "":
		return errors.New("clouds.yaml has no auth.user_domain_name: the Huawei account name the IAM user belongs to")
	}
	switch {
	case s.projectID != "":
		c.scopeProjectID = s.projectID
	case a.ProjectID != "":
		c.scopeProjectID, s.projectID = a.ProjectID, a.ProjectID
	case a.ProjectName != "":
		c.scopeProjectName = a.ProjectName
	case s.region != "":
		// On Huawei Cloud a region's default project is named after it.
		c.scopeProjectName = s.region
	default:
		return errors.New("no project to scope the IAM token to: set spec.region (or region_name / project_name in clouds.yaml)")
	}
	s.mode = modeToken
	s.iam = c
	s.iamURL, err = endpoint(cmp.Or(strings.TrimSpace(cfg.IdentityURL), strings.TrimSpace(a.AuthURL)), "iam", s.region, trimVersion("v3"))
	if err != nil {
		return fmt.Errorf("identity (IAM) endpoint: %w", err)
	}
	return nil
}

// secretValue reads a Secret key without the whitespace that "echo" and
// editors leave around pasted keys.
func secretValue(cfg cloud.Config, key string) string {
	return strings.TrimSpace(string(cfg.Credentials[key]))
}
