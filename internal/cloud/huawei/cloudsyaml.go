package huawei

import (
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strings"

	"go.yaml.in/yaml/v3"
)

// cloudsFile is the part of clouds.yaml the IAM password login needs.
// Other keys (interface, identity_api_version, ...) are ignored.
type cloudsFile struct {
	Clouds map[string]cloudEntry `yaml:"clouds"`
}

type cloudEntry struct {
	AuthType   string    `yaml:"auth_type"`
	Auth       authEntry `yaml:"auth"`
	RegionName string    `yaml:"region_name"`
}

type authEntry struct {
	AuthURL        string `yaml:"auth_url"`
	Username       string `yaml:"username"`
	UserID         string `yaml:"user_id"`
	Password       string `yaml:"password"`
	UserDomainName string `yaml:"user_domain_name"`
	UserDomainID   string `yaml:"user_domain_id"`
	DomainName     string `yaml:"domain_name"`
	DomainID       string `yaml:"domain_id"`
	ProjectName    string `yaml:"project_name"`
	ProjectID      string `yaml:"project_id"`
}

var yamlLine = regexp.MustCompile(`line [0-9]+`)

// parseCloudsYAML picks the entry named name, or the only entry when name
// is empty. YAML errors can quote the offending value (a password), so
// only their line number is reported.
func parseCloudsYAML(doc []byte, name string) (*cloudEntry, error) {
	var f cloudsFile
	if err := yaml.Unmarshal(doc, &f); err != nil {
		msg := "clouds.yaml is not valid YAML"
		if l := yamlLine.FindString(err.Error()); l != "" {
			msg += " (" + l + ")"
		}
		return nil, errors.New(msg)
	}
	if len(f.Clouds) == 0 {
		return nil, errors.New("clouds.yaml has no entry under clouds:")
	}
	names := make([]string, 0, len(f.Clouds))
	for n := range f.Clouds {
		names = append(names, n)
	}
	sort.Strings(names)
	switch {
	case name != "":
		e, ok := f.Clouds[name]
		if !ok {
			return nil, fmt.Errorf("clouds.yaml has no entry %q (entries: %s)", name, strings.Join(names, ", "))
		}
		return &e, nil
	case len(names) == 1:
		e := f.Clouds[names[0]]
		return &e, nil
	}
	return nil, fmt.Errorf("clouds.yaml has several entries (%s); set spec.cloudName", strings.Join(names, ", "))
}
