package scp

import (
	"fmt"
	"strings"
)

// SCP's createImage takes a name and nothing else: no metadata, no tags.
// The only place the idempotency key can travel is the name itself, so the
// driver appends a short suffix derived from it ("web-golden" becomes
// "web-golden-3f2a9c1e") and finds a lost image again by that exact name.
//
// The suffix is the first suffixLen alphanumerics of the key (a Kubernetes
// UID: hex digits and dashes, so the first UID group). 32 bits: two objects
// collide only if they also ask for the same image name, about one chance
// in four billion per such pair.
const suffixLen = 8

// maxNameLen and the character rule are those of SCP's image name
// (POST /v1/images: 1-255 characters, ^[a-zA-Z0-9-_ ]*$); the server-image
// call documents none and is assumed to apply the same.
const maxNameLen = 255

// nameSuffix is "-" and the first suffixLen letters and digits of key.
func nameSuffix(key string) (string, error) {
	var b strings.Builder
	for _, r := range strings.ToLower(key) {
		if isNameAlnum(r) {
			b.WriteRune(r)
			if b.Len() == suffixLen {
				return "-" + b.String(), nil
			}
		}
	}
	return "", fmt.Errorf("idempotency key %q has fewer than %d letters or digits", key, suffixLen)
}

// cloudImageName is the name the image gets in SCP: the requested name plus
// the key's suffix. The result is checked against SCP's name rule, with
// messages that say which field to change.
func cloudImageName(name, key string) (string, error) {
	if key == "" {
		return "", fmt.Errorf("no idempotency key given; SCP images carry it in their name")
	}
	suffix, err := nameSuffix(key)
	if err != nil {
		return "", err
	}
	if name == "" {
		return "", fmt.Errorf("the image name is empty")
	}
	full := name + suffix
	if n := len(full); n > maxNameLen {
		return "", fmt.Errorf("image name %q is %d characters with the operator's suffix %q; Samsung Cloud Platform allows at most %d: shorten spec.imageName to at most %d characters",
			name, n, suffix, maxNameLen, maxNameLen-len(suffix))
	}
	if bad := badNameChars(name); bad != "" {
		return "", fmt.Errorf("image name %q contains %s, which Samsung Cloud Platform does not allow (letters, digits, '-', '_' and spaces only); set spec.imageName to a name without them",
			name, bad)
	}
	return full, nil
}

func isNameAlnum(r rune) bool {
	return (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') || (r >= '0' && r <= '9')
}

func isNameChar(r rune) bool { return isNameAlnum(r) || r == '-' || r == '_' || r == ' ' }

// badNameChars lists the distinct characters of name outside the rule,
// quoted, in order of appearance ("'.', '/'"), or "" when there are none.
func badNameChars(name string) string {
	var out []string
	seen := map[rune]bool{}
	for _, r := range name {
		if !isNameChar(r) && !seen[r] {
			seen[r] = true
			out = append(out, fmt.Sprintf("%q", r))
		}
	}
	return strings.Join(out, ", ")
}
