package fakecloud

import (
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"
)

const (
	defaultMaxMicroversion = "2.96"
	minMicroversion        = "2.1"
)

// microversionRe is Nova's accepted shape for a version string.
var microversionRe = regexp.MustCompile(`^([1-9][0-9]*)\.([1-9][0-9]*|0)$`)

// parseMinor parses "2.Y" into Y; Nova only has major version 2.
func parseMinor(v string) (int, error) {
	m := microversionRe.FindStringSubmatch(v)
	if m == nil || m[1] != "2" {
		return 0, fmt.Errorf("fakecloud: invalid compute microversion %q (want 2.N)", v)
	}
	minor, err := strconv.Atoi(m[2])
	if err != nil || minor < 1 {
		return 0, fmt.Errorf("fakecloud: invalid compute microversion %q (want 2.N, N>=1)", v)
	}
	return minor, nil
}

// requestedMicroversion extracts the compute microversion a request asks
// for: OpenStack-API-Version ("compute X.Y", possibly among other services)
// wins over the older X-OpenStack-Nova-API-Version; none means the base.
func requestedMicroversion(h http.Header) string {
	for _, line := range h.Values("OpenStack-API-Version") {
		for _, item := range strings.Split(line, ",") {
			f := strings.Fields(item)
			if len(f) == 2 && strings.EqualFold(f[0], "compute") {
				return f[1]
			}
		}
	}
	if v := strings.TrimSpace(h.Get("X-OpenStack-Nova-API-Version")); v != "" {
		return v
	}
	return minMicroversion
}

// mvError is a microversion negotiation failure with Nova's status.
type mvError struct {
	status int
	msg    string
}

// negotiateMicroversion resolves the request's microversion against the
// cloud's maximum. As in Nova, a malformed string is a 400 and a
// well-formed one outside [2.1, max] is a 406.
func negotiateMicroversion(h http.Header, maxMinor int) (int, *mvError) {
	v := requestedMicroversion(h)
	if strings.EqualFold(v, "latest") {
		return maxMinor, nil
	}
	m := microversionRe.FindStringSubmatch(v)
	if m == nil {
		return 0, &mvError{http.StatusBadRequest, fmt.Sprintf(
			"API Version String %s is of invalid format. Must be of format MajorNum.MinorNum.", v)}
	}
	minor, err := strconv.Atoi(m[2])
	if m[1] != "2" || err != nil || minor < 1 || minor > maxMinor {
		return 0, &mvError{http.StatusNotAcceptable, fmt.Sprintf(
			"Version %s is not supported by the API. Minimum is %s and maximum is 2.%d.", v, minMicroversion, maxMinor)}
	}
	return minor, nil
}

// setMicroversionHeaders echoes the negotiated version the way Nova does.
func setMicroversionHeaders(h http.Header, minor int) {
	v := "2." + strconv.Itoa(minor)
	h.Set("OpenStack-API-Version", "compute "+v)
	h.Set("X-OpenStack-Nova-API-Version", v)
	h.Add("Vary", "OpenStack-API-Version, X-OpenStack-Nova-API-Version")
}

// negotiate sets nr's microversion from the request (2.1 on the legacy /v2
// API, which has none) and echoes it; on a bad request it answers with the
// dialect's error and reports false.
func (c *Cloud) negotiate(w http.ResponseWriter, r *http.Request, nr *novaReq, d dialect) bool {
	nr.minor = 1
	if nr.legacy {
		return true
	}
	minor, mverr := negotiateMicroversion(r.Header, c.maxMinor())
	if mverr != nil {
		writeError(w, d, mverr.status, mverr.msg, "")
		return false
	}
	nr.minor = minor
	setMicroversionHeaders(w.Header(), minor)
	return true
}
