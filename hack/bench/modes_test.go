package main

import (
	"slices"
	"strings"
	"testing"
)

func TestParseModes(t *testing.T) {
	got, err := parseModes(" batch, per-object,batch,feed")
	if err != nil || !slices.Equal(got, []string{"batch", "per-object", "feed"}) {
		t.Fatalf("parseModes = %v, %v", got, err)
	}
	for in, want := range map[string]string{
		"batch,fast": `unknown -mode "fast"`,
		" , ":        "empty",
	} {
		if _, err := parseModes(in); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("parseModes(%q) = %v, want an error saying %q", in, err, want)
		}
	}
}

func TestParseApplies(t *testing.T) {
	got, err := parseApplies("server,none")
	if err != nil || !slices.Equal(got, []string{"server", "none"}) {
		t.Fatalf("parseApplies = %v, %v", got, err)
	}
	if _, err := parseApplies("client,kubectl"); err == nil || !strings.Contains(err.Error(), `"kubectl"`) {
		t.Errorf("parseApplies(kubectl) = %v", err)
	}
}
