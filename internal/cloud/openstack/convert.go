package openstack

import (
	"net/url"
	"strings"
)

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
