package scp

import (
	"fmt"
	"regexp"
	"strings"
	"time"
)

// serviceName prefixes the version in the Scp-Api-Version header.
const serviceName = "virtualserver"

// DefaultAPIVersion is the version pinned when the Cloud names none: the
// CURRENT one for createImage, also what Samsung's Terraform provider
// v4.2.0 pins. (Without the header the gateway picks its latest CURRENT
// version, which could change under us.)
const DefaultAPIVersion = "1.3"

// knownVersion is one row of the createImage version table of the API
// reference (seed 003). The request and response are identical in all four.
type knownVersion struct {
	version string
	state   string // CURRENT, SUPPORTED or DEPRECATED
	// notBefore is the table's "Not Before" date. For a DEPRECATED version
	// it is the day support ends ("Deprecated versions with Not Before
	// dates that have arrived or expired are no longer supported").
	notBefore time.Time
}

func day(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

var knownVersions = []knownVersion{
	{version: "1.3", state: "CURRENT"},
	{version: "1.2", state: "SUPPORTED", notBefore: day(2026, time.August, 31)},
	{version: "1.1", state: "DEPRECATED", notBefore: day(2026, time.May, 31)},
	{version: "1.0", state: "DEPRECATED", notBefore: day(2025, time.December, 31)},
}

// apiVersion is a parsed "major.minor" virtualserver API version.
type apiVersion struct{ version string }

var versionFormat = regexp.MustCompile(`^[0-9]+\.[0-9]+$`)

// parseAPIVersion accepts "1.3" or the header form "virtualserver 1.3".
// Versions this driver does not know are allowed (a newer cloud may offer
// them) and only warned about; a malformed one is an error.
func parseAPIVersion(raw string) (apiVersion, error) {
	v := strings.TrimSpace(raw)
	if v == "" {
		return apiVersion{DefaultAPIVersion}, nil
	}
	if f := strings.Fields(v); len(f) == 2 && strings.EqualFold(f[0], serviceName) {
		v = f[1]
	}
	if !versionFormat.MatchString(v) {
		return apiVersion{}, fmt.Errorf("SCP API version %q is not of the form 1.3 or %q", raw, serviceName+" 1.3")
	}
	return apiVersion{v}, nil
}

// header is the Scp-Api-Version value.
func (a apiVersion) header() string { return serviceName + " " + a.version }

// warnings explain a version choice that works today but may stop working.
func (a apiVersion) warnings(now time.Time) []string {
	for _, k := range knownVersions {
		if k.version != a.version {
			continue
		}
		if k.state != "DEPRECATED" {
			return nil
		}
		date := k.notBefore.Format("2006-01-02")
		if !now.Before(k.notBefore) {
			return []string{fmt.Sprintf(
				"Scp-Api-Version %s is deprecated and its support ended on %s: SCP may refuse these requests; use %s",
				a.header(), date, DefaultAPIVersion)}
		}
		return []string{fmt.Sprintf(
			"Scp-Api-Version %s is deprecated and stops being supported on %s; use %s",
			a.header(), date, DefaultAPIVersion)}
	}
	return []string{fmt.Sprintf(
		"Scp-Api-Version %s is not known to this operator version (it knows 1.0 to 1.3); it is sent as configured",
		a.header())}
}
