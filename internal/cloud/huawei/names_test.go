package huawei

import (
	"strings"
	"testing"
)

func TestKeySuffix(t *testing.T) {
	for _, tc := range []struct{ key, want string }{
		{"1a2b3c4d-0000-4000-8000-000000000001", "-1a2b3c4d"},
		{"1A2B3C4D-0000-4000-8000-000000000001", "-1a2b3c4d"},
		{"1a2b-3c4d-aaaa", "-1a2b3c4d"},
		// Not hex: hashed, still eight hex digits.
		{"not-a-uuid", "-" + hashPrefix("not-a-uuid")},
		{"short", "-" + hashPrefix("short")},
	} {
		if got := keySuffix(tc.key); got != tc.want {
			t.Errorf("keySuffix(%q) = %q, want %q", tc.key, got, tc.want)
		}
		if got := keySuffix(tc.key); len(got) != 1+suffixLen || !isHex(got[1:]) {
			t.Errorf("keySuffix(%q) = %q is not '-' and %d hex digits", tc.key, got, suffixLen)
		}
	}
}

func hashPrefix(key string) string { return keySuffix(key)[1:] }

func TestCloudImageName(t *testing.T) {
	const key = "1a2b3c4d-0000-4000-8000-000000000001"
	for _, tc := range []struct {
		name, key, want string
		wantErr         string
	}{
		{name: "web", key: key, want: "web-1a2b3c4d"},
		{name: "web", key: "", want: "web"},
		{name: strings.Repeat("a", 233), key: key, want: strings.Repeat("a", 233) + "-1a2b3c4d"},
		{name: strings.Repeat("a", 234), key: key, wantErr: "243 bytes with the idempotency suffix"},
		// Bytes, not characters: 117 × "é" is 234 bytes.
		{name: strings.Repeat("é", 116), key: key, want: strings.Repeat("é", 116) + "-1a2b3c4d"},
		{name: strings.Repeat("é", 117), key: key, wantErr: "at most 233 bytes"},
		{name: strings.Repeat("a", 243), key: "", wantErr: "at most 242 bytes"},
		{name: "", key: key, wantErr: "no image name"},
	} {
		got, err := cloudImageName(tc.name, tc.key)
		switch {
		case tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)):
			t.Errorf("cloudImageName(%d bytes) error %v, want %q", len(tc.name), err, tc.wantErr)
		case tc.wantErr == "" && (err != nil || got != tc.want):
			t.Errorf("cloudImageName(%d bytes) = %q, %v; want %q", len(tc.name), got, err, tc.want)
		}
	}
}
