package scp

import (
	"strings"
	"testing"
)

const testUID = "3f2a9c1e-7b4d-4e8a-9c01-5d6e7f8a9b0c"

func TestCloudImageName(t *testing.T) {
	tests := []struct {
		name, key string
		want      string
		wantErr   string
	}{
		{name: "web-golden", key: testUID, want: "web-golden-3f2a9c1e"},
		{name: "Web Golden_2026", key: testUID, want: "Web Golden_2026-3f2a9c1e"},
		{name: "x", key: "3F2A-9C1E-0000", want: "x-3f2a9c1e"}, // dashes skipped, lower-cased
		{name: strings.Repeat("a", 246), key: testUID, want: strings.Repeat("a", 246) + "-3f2a9c1e"},
		{name: strings.Repeat("a", 247), key: testUID, wantErr: "shorten spec.imageName to at most 246 characters"},
		{name: "web.golden", key: testUID, wantErr: `contains '.'`},
		{name: "a/b.c/d", key: testUID, wantErr: `contains '/', '.',`},
		{name: "日本", key: testUID, wantErr: `'日', '本'`},
		{name: "", key: testUID, wantErr: "empty"},
		{name: "web", key: "", wantErr: "no idempotency key"},
		{name: "web", key: "abc-123", wantErr: "fewer than 8"},
	}
	for _, tc := range tests {
		got, err := cloudImageName(tc.name, tc.key)
		switch {
		case tc.wantErr != "":
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("cloudImageName(%q, %q) error %v, want %q", tc.name, tc.key, err, tc.wantErr)
			}
		case err != nil || got != tc.want:
			t.Errorf("cloudImageName(%q, %q) = %q, %v; want %q", tc.name, tc.key, got, err, tc.want)
		}
	}
}
