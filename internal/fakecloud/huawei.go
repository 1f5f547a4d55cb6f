package fakecloud

import (
	"crypto/sha256"
	"encoding/base32"
	"fmt"
	"net/http"
	"strings"
	"time"
)

// Huawei Cloud dialect, mounted at /huawei: IAM (/huawei/iam), the ECS
// native OpenStack API (/huawei/ecs) and IMS (/huawei/ims), behind an API
// gateway that verifies AK/SK signatures (huawei_gateway.go) or IAM tokens.
// The servers and images are the shared store's, so every fault, ledger
// count and lifecycle works the same as on the OpenStack fronts.

// Huawei error formats: dialectHuawei is the IAM service, the other two
// the ECS and IMS services. Throttling and authentication failures come
// from the gateway in front of all three and look the same everywhere.
const (
	dialectHuawei    dialect = 20
	dialectHuaweiECS dialect = 21
	dialectHuaweiIMS dialect = 22
)

// huaweiTokenTTL: IAM tokens are valid for 24 hours.
const huaweiTokenTTL = 24 * time.Hour

// huaweiAccountName is the account (IAM "domain") the simulated IAM user
// belongs to; user_domain_name in a Huawei clouds.yaml.
const huaweiAccountName = "fakecloud-account"

// huaweiDomainID is that account's ID.
const huaweiDomainID = "5a3b1c7d9e2f4a6b8c0d1e3f5a7b9c2d"

func init() {
	registerFront("/huawei", func(c *Cloud, w http.ResponseWriter, r *http.Request, rest string) {
		c.huaweiRoutes(w, r, rest)
	})
	registerErrorWriter(dialectHuawei, huaweiIAMError)
	registerErrorWriter(dialectHuaweiECS, huaweiECSError)
	registerErrorWriter(dialectHuaweiIMS, huaweiIMSError)
}

func (c *Cloud) huaweiRoutes(w http.ResponseWriter, r *http.Request, rest string) {
	service, path, _ := strings.Cut(strings.TrimPrefix(rest, "/"), "/")
	switch service {
	case "iam":
		c.huaweiIAMRoutes(w, r, path)
	case "ecs":
		c.huaweiECSRoutes(w, r, path)
	case "ims":
		c.huaweiIMSRoutes(w, r, path)
	default:
		c.serve(w, r, call{op: OpOther, dialect: dialectHuawei}, func(w http.ResponseWriter, r *http.Request) {
			writeHuaweiGatewayError(w, http.StatusNotFound, "APIGW.0101", "The API does not exist or has not been published in the environment", "")
		})
	}
}

// HuaweiIAMURL is the IAM root (clients append /v3/auth/tokens; a
// clouds.yaml auth_url is this plus /v3).
func (c *Cloud) HuaweiIAMURL() string { return c.url + "/huawei/iam" }

// HuaweiECSURL is the ECS root (clients append /v2.1/{project_id}/...).
func (c *Cloud) HuaweiECSURL() string { return c.url + "/huawei/ecs" }

// HuaweiIMSURL is the IMS root (clients append /v2/images, /v2/cloudimages).
func (c *Cloud) HuaweiIMSURL() string { return c.url + "/huawei/ims" }

// HuaweiProjectID is the project of the region; AK/SK requests name it in
// X-Project-Id, ECS paths carry it.
func (c *Cloud) HuaweiProjectID() string { return c.opts.ProjectID }

// HuaweiRegion is the region name, which is also the name of its project
// when an IAM token is scoped by name.
func (c *Cloud) HuaweiRegion() string { return c.opts.Region }

// HuaweiAccountName is the account the IAM user (Options.Username /
// Options.Password) belongs to.
func (c *Cloud) HuaweiAccountName() string { return huaweiAccountName }

// HuaweiAccessKey and HuaweiSecretKey are the permanent access key pair.
// They derive from the project ID so that they are stable across runs.
func (c *Cloud) HuaweiAccessKey() string { return c.huaweiKey("ak", 20) }
func (c *Cloud) HuaweiSecretKey() string { return c.huaweiKey("sk", 40) }

// HuaweiTemporaryCredentials is a temporary key pair; requests signed with
// it must carry the security token in X-Security-Token.
func (c *Cloud) HuaweiTemporaryCredentials() (accessKey, secretKey, securityToken string) {
	return c.huaweiKey("tmp-ak", 20), c.huaweiKey("tmp-sk", 40), c.huaweiKey("tmp-token", 64)
}

func (c *Cloud) huaweiKey(kind string, n int) string {
	var out string
	for i := 0; len(out) < n; i++ {
		sum := sha256.Sum256([]byte(fmt.Sprintf("huawei-%s-%d-%s", kind, i, c.opts.ProjectID)))
		out += base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(sum[:])
	}
	return out[:n]
}

// HuaweiCloudsYAML is a clouds.yaml for IAM password login, scoped to the
// region's project by name, as a Huawei user would write it.
func (c *Cloud) HuaweiCloudsYAML(cloudName string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "clouds:\n  %q:\n    auth:\n", cloudName)
	for _, kv := range [][2]string{
		{"auth_url", c.HuaweiIAMURL() + "/v3"},
		{"username", c.opts.Username},
		{"password", c.opts.Password},
		{"user_domain_name", huaweiAccountName},
		{"project_name", c.opts.Region},
	} {
		fmt.Fprintf(&b, "      %s: %q\n", kv[0], kv[1])
	}
	fmt.Fprintf(&b, "    region_name: %q\n", c.opts.Region)
	return b.String()
}

// huaweiSegments splits a path below a service root.
func huaweiSegments(path string) []string {
	trimmed := strings.Trim(path, "/")
	if trimmed == "" {
		return nil
	}
	return strings.Split(trimmed, "/")
}
