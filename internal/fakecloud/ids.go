package fakecloud

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
)

// newUUID returns a random RFC 4122 version 4 UUID. Nova and Glance use
// UUIDs for server and image IDs, and drivers may validate the shape.
func newUUID() string {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		// crypto/rand never fails on supported platforms; a simulator
		// without randomness cannot hand out unique IDs.
		panic(fmt.Sprintf("fakecloud: crypto/rand: %v", err))
	}
	b[6] = b[6]&0x0f | 0x40 // version 4
	b[8] = b[8]&0x3f | 0x80 // RFC 4122 variant
	h := hex.EncodeToString(b[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}

// newHexID returns n random bytes as lower-case hex. Keystone project and
// user IDs are 32 hex characters without dashes.
func newHexID(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(fmt.Sprintf("fakecloud: crypto/rand: %v", err))
	}
	return hex.EncodeToString(b)
}
