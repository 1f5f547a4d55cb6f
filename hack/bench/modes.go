package main

import (
	"fmt"
	"slices"
	"strings"
)

// pollingModes maps each -mode value to the operator flags that select it.
// A mode the operator does not have yet is listed with nil flags so that
// asking for it says so instead of calling it unknown.
var pollingModes = map[string][]string{
	"batch":      {"--per-object-polling=false", "--change-feed=false"},
	"per-object": {"--per-object-polling=true"},
	"feed":       {"--per-object-polling=false", "--change-feed=true"},
}

// Apply modes: how the bench's objects are written, which decides what
// metadata the API server keeps on them.
const (
	applyNone   = "none"   // plain creates
	applyClient = "client" // kubectl apply: the last-applied annotation
	applyServer = "server" // kubectl apply --server-side: Apply managed fields
)

var applyModes = []string{applyNone, applyClient, applyServer}

// parseModes splits a comma-separated -mode value and checks each entry.
func parseModes(s string) ([]string, error) {
	var out []string
	for _, m := range splitList(s) {
		args, known := pollingModes[m]
		switch {
		case !known:
			return nil, fmt.Errorf("unknown -mode %q (batch, per-object, feed)", m)
		case args == nil:
			return nil, fmt.Errorf("-mode %s is not implemented by the operator yet", m)
		}
		out = append(out, m)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("-mode is empty")
	}
	return out, nil
}

// parseApplies splits a comma-separated -apply value and checks each entry.
func parseApplies(s string) ([]string, error) {
	var out []string
	for _, a := range splitList(s) {
		if !slices.Contains(applyModes, a) {
			return nil, fmt.Errorf("unknown -apply %q (%s)", a, strings.Join(applyModes, ", "))
		}
		out = append(out, a)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("-apply is empty")
	}
	return out, nil
}

// splitList splits on commas, trims blanks and drops repeats, keeping order.
func splitList(s string) []string {
	var out []string
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f != "" && !slices.Contains(out, f) {
			out = append(out, f)
		}
	}
	return out
}
