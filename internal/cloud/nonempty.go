package cloud

import "slices"

// NonEmpty returns the values that are set, for settings read from
// several optional sources (the secrets to scrub, the regions to try).
func NonEmpty(vals ...string) []string {
	return slices.DeleteFunc(slices.Clone(vals), func(v string) bool { return v == "" })
}
