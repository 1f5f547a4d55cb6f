package openstack

import (
	"math"
	"net/url"
	"strings"
	"time"
)

// timeLayouts: Glance and Nova send RFC 3339; older Nova and some proxies
// omit the zone, which is then UTC.
var timeLayouts = []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999", "2006-01-02 15:04:05"}

// parseTime returns the zero time for an absent or unreadable value: a
// timestamp is informative, never a reason to fail a poll.
func parseTime(s string) time.Time {
	for _, layout := range timeLayouts {
		if t, err := time.Parse(layout, s); err == nil {
			return t
		}
	}
	return time.Time{}
}

// absoluteURL joins a link relative to a service root. A path-absolute
// link ("/v2/images/x") is taken relative to the root, not to the host, so
// that a Glance behind a path prefix keeps it.
func absoluteURL(root, link string) string {
	if link == "" {
		return ""
	}
	if u, err := url.Parse(link); err == nil && u.IsAbs() {
		return link
	}
	return strings.TrimRight(root, "/") + "/" + strings.TrimLeft(link, "/")
}

// percent turns the proxy's progress into a whole percentage in 0–100: a
// value outside it (a proxy's bug) would otherwise be shown as is.
func percent(p *float64) *int32 {
	if p == nil || math.IsNaN(*p) {
		return nil
	}
	v := int32(math.Round(math.Max(0, math.Min(100, *p))))
	return &v
}
