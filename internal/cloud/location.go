package cloud

import (
	"fmt"
	"net/url"
	"strings"
)

// ImageIDFromLocation returns the image ID from the Location header of a
// pre-2.45 Nova createImage (or a Rackspace one): the last path segment.
// The API reference warns the URL may not be reachable, so only its path
// is read. Real Nova builds it from the Glance root and sends
// "http://127.0.0.1:9292//images/<id>"; absolute, relative, doubled and
// trailing slashes are all tolerated.
func ImageIDFromLocation(location string) (string, error) {
	loc := strings.TrimSpace(location)
	if loc == "" {
		return "", fmt.Errorf("empty Location header")
	}
	path := loc
	if u, err := url.Parse(loc); err == nil {
		path = u.EscapedPath()
		if path == "" && u.Opaque != "" {
			path = u.Opaque
		}
	} else if i := strings.IndexAny(loc, "?#"); i >= 0 {
		path = loc[:i]
	}
	segments := strings.FieldsFunc(path, func(r rune) bool { return r == '/' })
	if len(segments) == 0 {
		return "", fmt.Errorf("no image ID in Location %q", loc)
	}
	last := segments[len(segments)-1]
	if id, err := url.PathUnescape(last); err == nil {
		last = id
	}
	if last == "" || strings.EqualFold(last, "images") {
		return "", fmt.Errorf("no image ID in Location %q", loc)
	}
	return last, nil
}
