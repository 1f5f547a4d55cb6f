package huawei

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
)

// maxImageNameBytes: ECS takes image names "greater than 0 bytes and less
// than 243 bytes" (bytes, not characters: "é" counts twice).
const maxImageNameBytes = 242

// suffixLen is the number of hex digits of the idempotency suffix.
const suffixLen = 8

// keySuffix is "-" and eight hex digits derived from the idempotency key.
// For a Kubernetes UID (a UUID) they are its first eight digits, so the
// image is easy to match with `kubectl get -o jsonpath='{.metadata.uid}'`;
// any other key is hashed. Eight random hex digits make a collision between
// two objects with the same image name very unlikely, and FindImages also
// re-checks the key where IMS returns the image's metadata.
func keySuffix(key string) string {
	k := strings.ToLower(strings.ReplaceAll(key, "-", ""))
	if len(k) >= suffixLen && isHex(k[:suffixLen]) {
		return "-" + k[:suffixLen]
	}
	sum := sha256.Sum256([]byte(key))
	return "-" + hex.EncodeToString(sum[:])[:suffixLen]
}

func isHex(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}

// cloudImageName is the name the image gets in the cloud: the requested
// name plus the key's suffix (none without a key). It fails, before any
// call, when the result is longer than ECS accepts.
func cloudImageName(name, key string) (string, error) {
	if name == "" {
		return "", fmt.Errorf("no image name given")
	}
	full := name
	if key != "" {
		full += keySuffix(key)
	}
	if len(full) > maxImageNameBytes {
		return "", fmt.Errorf(
			"image name is %d bytes with the idempotency suffix %q (%d bytes without); Huawei Cloud ECS accepts image names shorter than 243 bytes, so spec.imageName may be at most %d bytes",
			len(full), strings.TrimPrefix(full, name), len(name), maxImageNameBytes-(len(full)-len(name)))
	}
	return full, nil
}
