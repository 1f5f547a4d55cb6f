package openstack

import (
	"errors"
	"fmt"
	"regexp"
	"strings"

	"go.yaml.in/yaml/v3"
)

// The clouds.yaml reader is hand-written instead of gophercloud's
// openstack/config/clouds for two reasons:
//   - that package reads the process environment (OS_CLOUD, OS_REGION_NAME,
//     OS_CACERT, OS_CERT, OS_KEY, …) and files on disk (clouds-public.yaml,
//     secure.yaml, cacert paths), while one operator process serves many
//     Clouds whose settings must come from their own Secret only;
//   - it imports gopkg.in/yaml.v2, which is not in this module's go.sum.
// Only the fields the driver uses are read; unknown ones are ignored, as
// openstacksdk does.

// cloudsFile is the top level of clouds.yaml.
type cloudsFile struct {
	Clouds map[string]cloudEntry `yaml:"clouds"`
}

// cloudEntry is one named cloud.
type cloudEntry struct {
	// Profile and Cloud name a clouds-public.yaml vendor profile, which the
	// operator does not have.
	Profile            string        `yaml:"profile"`
	Cloud              string        `yaml:"cloud"`
	AuthType           string        `yaml:"auth_type"`
	Auth               authSection   `yaml:"auth"`
	RegionName         string        `yaml:"region_name"`
	Regions            []regionEntry `yaml:"regions"`
	Interface          string        `yaml:"interface"`
	EndpointType       string        `yaml:"endpoint_type"`
	IdentityAPIVersion string        `yaml:"identity_api_version"`
	Verify             *bool         `yaml:"verify"`
	// CACert, Cert and Key are file paths for openstacksdk; here only inline
	// PEM is usable (see tlsSettings).
	CACert string `yaml:"cacert"`
	Cert   string `yaml:"cert"`
	Key    string `yaml:"key"`
}

type authSection struct {
	AuthURL                     string `yaml:"auth_url"`
	Token                       string `yaml:"token"`
	Username                    string `yaml:"username"`
	UserID                      string `yaml:"user_id"`
	Password                    string `yaml:"password"`
	ApplicationCredentialID     string `yaml:"application_credential_id"`
	ApplicationCredentialName   string `yaml:"application_credential_name"`
	ApplicationCredentialSecret string `yaml:"application_credential_secret"`
	ProjectID                   string `yaml:"project_id"`
	ProjectName                 string `yaml:"project_name"`
	// Older files say tenant_* for project_*.
	TenantID          string `yaml:"tenant_id"`
	TenantName        string `yaml:"tenant_name"`
	UserDomainID      string `yaml:"user_domain_id"`
	UserDomainName    string `yaml:"user_domain_name"`
	ProjectDomainID   string `yaml:"project_domain_id"`
	ProjectDomainName string `yaml:"project_domain_name"`
	DomainID          string `yaml:"domain_id"`
	DomainName        string `yaml:"domain_name"`
	DefaultDomain     string `yaml:"default_domain"`
	SystemScope       string `yaml:"system_scope"`
	TrustID           string `yaml:"trust_id"`
}

// regionEntry accepts both forms openstacksdk allows: a plain name or a
// mapping with a name.
type regionEntry struct {
	Name string
}

func (r *regionEntry) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind == yaml.ScalarNode {
		r.Name = n.Value
		return nil
	}
	var m struct {
		Name string `yaml:"name"`
	}
	if err := n.Decode(&m); err != nil {
		return err
	}
	r.Name = m.Name
	return nil
}

var yamlLine = regexp.MustCompile(`line (\d+)`)

// parseCloudsYAML returns the entry called name. Its errors never quote
// the file: YAML errors carry values ("cannot unmarshal !!str `hunter2…`"),
// so only line numbers are kept.
func parseCloudsYAML(data []byte, name string) (*cloudEntry, string, error) {
	if len(strings.TrimSpace(string(data))) == 0 {
		return nil, "", errors.New(`the credentials Secret has no (or an empty) "clouds.yaml" key`)
	}
	var f cloudsFile
	if err := yaml.Unmarshal(data, &f); err != nil {
		where := ""
		if m := yamlLine.FindAllStringSubmatch(err.Error(), 3); len(m) > 0 {
			lines := make([]string, 0, len(m))
			for _, l := range m {
				lines = append(lines, l[1])
			}
			where = " (line " + strings.Join(lines, ", ") + ")"
		}
		return nil, "", fmt.Errorf("clouds.yaml could not be parsed%s", where)
	}
	if len(f.Clouds) == 0 {
		return nil, "", errors.New(`clouds.yaml has no entries under "clouds"`)
	}
	if name == "" {
		// One entry is unambiguous; more need the Cloud to say which.
		if len(f.Clouds) != 1 {
			return nil, "", fmt.Errorf("clouds.yaml has %d entries and the Cloud names none (set cloudName)", len(f.Clouds))
		}
		for n := range f.Clouds {
			name = n
		}
	}
	e, ok := f.Clouds[name]
	if !ok {
		return nil, "", fmt.Errorf("clouds.yaml has no entry named %q (it has %d %s)", name, len(f.Clouds), plural(len(f.Clouds), "entry", "entries"))
	}
	return &e, name, nil
}

// region is region_name, else the first of regions (openstacksdk's default).
func (e *cloudEntry) region() string {
	if e.RegionName != "" {
		return e.RegionName
	}
	names := make([]string, 0, len(e.Regions))
	for _, r := range e.Regions {
		if r.Name != "" {
			names = append(names, r.Name)
		}
	}
	if len(names) == 0 {
		return ""
	}
	return names[0]
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
