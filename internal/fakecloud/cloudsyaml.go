package fakecloud

import (
	"fmt"
	"strings"
)

// CloudsYAML returns a clouds.yaml with password authentication for this
// cloud under the name cloudName.
func (c *Cloud) CloudsYAML(cloudName string) string {
	return c.cloudsYAML(cloudName, "", [][2]string{
		{"auth_url", c.IdentityURL()},
		{"username", c.opts.Username},
		{"password", c.opts.Password},
		{"project_name", c.opts.ProjectName},
		{"user_domain_name", defaultDomain},
		{"project_domain_name", defaultDomain},
	})
}

// AppCredCloudsYAML returns a clouds.yaml that authenticates with the
// application credential (auth_type v3applicationcredential).
func (c *Cloud) AppCredCloudsYAML(cloudName string) string {
	return c.cloudsYAML(cloudName, "v3applicationcredential", [][2]string{
		{"auth_url", c.IdentityURL()},
		{"application_credential_id", c.opts.AppCredID},
		{"application_credential_secret", c.opts.AppCredSecret},
	})
}

// cloudsYAML writes the file by hand (the simulator has no YAML library);
// every value is double-quoted, which YAML reads like a JSON string.
func (c *Cloud) cloudsYAML(name, authType string, auth [][2]string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "clouds:\n  %q:\n", name)
	if authType != "" {
		fmt.Fprintf(&b, "    auth_type: %q\n", authType)
	}
	b.WriteString("    auth:\n")
	for _, kv := range auth {
		fmt.Fprintf(&b, "      %s: %q\n", kv[0], kv[1])
	}
	fmt.Fprintf(&b, "    region_name: %q\n", c.opts.Region)
	b.WriteString("    interface: \"public\"\n")
	b.WriteString("    identity_api_version: 3\n")
	return b.String()
}
