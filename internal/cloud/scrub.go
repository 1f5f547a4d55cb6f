package cloud

import (
	"errors"
	"strings"
)

// minSecretLen: a shorter secret cannot be searched for without mangling
// ordinary words, and no cloud's keys or passwords are that short in
// practice.
const minSecretLen = 4

// Scrub keeps credentials out of e even if a cloud or a proxy echoes them
// back, and returns it as an error (nil for nil).
func Scrub(e *Error, secrets ...string) error {
	if e == nil {
		return nil
	}
	for _, secret := range secrets {
		if len(secret) < minSecretLen {
			continue
		}
		e.Message = strings.ReplaceAll(e.Message, secret, "[redacted]")
		if e.Err != nil && strings.Contains(e.Err.Error(), secret) {
			// The chain cannot be edited in place: it keeps its text and
			// loses errors.As on its inner types, which only the driver
			// that classified it looks at, before scrubbing.
			e.Err = errors.New(strings.ReplaceAll(e.Err.Error(), secret, "[redacted]"))
		}
	}
	return e
}
