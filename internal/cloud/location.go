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

// CreatedImageID reads the image ID of an accepted Nova-style createImage
// from its Location header. Without the header, or with one naming no
// image, the image may exist all the same, so the error sends the caller to
// look it up by idempotency key rather than give up. missing says what the
// answer lacked, for the message.
func CreatedImageID(location, missing string) (string, error) {
	if location == "" {
		return "", Malformed(OpCreateImage, "createImage was accepted (HTTP 202) but the response has "+missing+"; the image may exist, look it up by idempotency key")
	}
	id, err := ImageIDFromLocation(location)
	if err != nil {
		return "", &Error{Class: ClassTransient, Op: OpCreateImage,
			Message: "createImage was accepted (HTTP 202) but its Location header names no image; the image may exist, look it up by idempotency key", Err: err}
	}
	return id, nil
}
