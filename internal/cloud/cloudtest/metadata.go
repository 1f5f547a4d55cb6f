package cloudtest

import "fmt"

// Metadata is n distinct image metadata items, for testing the clouds'
// limits on how many an image may carry.
func Metadata(n int) map[string]string {
	m := make(map[string]string, n)
	for i := range n {
		m[fmt.Sprintf("key%03d", i)] = "v"
	}
	return m
}
