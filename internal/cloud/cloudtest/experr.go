package cloudtest

import (
	"strings"
	"testing"
)

// ExpectError checks err against a table row's wanted error: with want set,
// err must contain it; with want empty, err must be nil. It reports whether
// an error was wanted, i.e. whether the row's checks end here.
func ExpectError(t testing.TB, err error, want string) bool {
	t.Helper()
	if want == "" {
		if err != nil {
			t.Fatal(err)
		}
		return false
	}
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Fatalf("error %v, want one containing %q", err, want)
	}
	return true
}
