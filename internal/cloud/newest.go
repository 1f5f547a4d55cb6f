package cloud

import (
	"slices"
	"strings"
)

// SortNewestFirst orders what FindImages returns: the newest image first,
// the one a caller adopts; images created at the same time by ID, so that
// the choice does not depend on the order a cloud happened to list them.
func SortNewestFirst(imgs []Image) {
	slices.SortStableFunc(imgs, func(a, b Image) int {
		if c := b.CreatedAt.Compare(a.CreatedAt); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
}
