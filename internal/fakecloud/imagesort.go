package fakecloud

import (
	"cmp"
	"slices"
	"strings"
)

// Sorting and marker pagination shared by the image list APIs.

type sortKey struct {
	key  string
	desc bool
}

// imageComparators compare two images on each attribute a list can be
// sorted by; they are the one list of sortable keys.
var imageComparators = map[string]func(a, b Image) int{
	"created_at":       func(a, b Image) int { return a.CreatedAt.Compare(b.CreatedAt) },
	"updated_at":       func(a, b Image) int { return a.UpdatedAt.Compare(b.UpdatedAt) },
	"name":             func(a, b Image) int { return strings.Compare(a.Name, b.Name) },
	"status":           func(a, b Image) int { return strings.Compare(a.Status, b.Status) },
	"id":               func(a, b Image) int { return strings.Compare(a.ID, b.ID) },
	"owner":            func(a, b Image) int { return strings.Compare(a.Owner, b.Owner) },
	"visibility":       func(a, b Image) int { return 0 }, // every simulated image is private
	"disk_format":      func(a, b Image) int { return strings.Compare(a.DiskFormat, b.DiskFormat) },
	"container_format": func(a, b Image) int { return strings.Compare(a.ContainerFormat, b.ContainerFormat) },
	"size":             func(a, b Image) int { return cmp.Compare(a.Size, b.Size) },
	"min_disk":         func(a, b Image) int { return cmp.Compare(a.MinDisk, b.MinDisk) },
	"min_ram":          func(a, b Image) int { return cmp.Compare(a.MinRAM, b.MinRAM) },
}

// sortableImageKeys are the image attributes a list can be sorted by.
var sortableImageKeys = func() map[string]bool {
	keys := make(map[string]bool, len(imageComparators))
	for k := range imageComparators {
		keys[k] = true
	}
	return keys
}()

func compareOn(a, b Image, key string) int {
	if c, ok := imageComparators[key]; ok {
		return c(a, b)
	}
	return strings.Compare(a.ID, b.ID)
}

// compareImages orders by keys, then by ID descending as Glance does, so
// that the order is total and markers are unambiguous.
func compareImages(a, b Image, keys []sortKey) int {
	for _, k := range keys {
		if c := compareOn(a, b, k.key); c != 0 {
			if k.desc {
				return -c
			}
			return c
		}
	}
	return -strings.Compare(a.ID, b.ID)
}

func sortImages(imgs []Image, keys []sortKey) {
	slices.SortStableFunc(imgs, func(a, b Image) int { return compareImages(a, b, keys) })
}

// pageAfter returns the images of sorted that come after the marker image
// in the sort order. The marker must be an existing image (it need not
// match the filters); ok is false when it does not exist.
func pageAfter(all, sorted []Image, marker string, keys []sortKey) ([]Image, bool) {
	i := slices.IndexFunc(all, func(img Image) bool { return img.ID == marker })
	if i < 0 {
		return nil, false
	}
	m := all[i]
	j := slices.IndexFunc(sorted, func(img Image) bool { return compareImages(img, m, keys) > 0 })
	if j < 0 {
		return nil, true
	}
	return sorted[j:], true
}

// renderImages renders a page of images as one API shows them.
func renderImages(page []Image, render func(Image) map[string]any) []any {
	out := make([]any, 0, len(page))
	for _, img := range page {
		out = append(out, render(img))
	}
	return out
}

// imagePage is one page of an image list: the images of all that keep
// accepts, in the order of keys, after the marker image when there is one,
// at most limit of them. ok is false when the marker image does not exist.
func imagePage(all []Image, keep func(Image) bool, keys []sortKey, marker string, limit int) (page []Image, ok bool) {
	for _, img := range all {
		if keep(img) {
			page = append(page, img)
		}
	}
	sortImages(page, keys)
	if marker != "" {
		if page, ok = pageAfter(all, page, marker, keys); !ok {
			return nil, false
		}
	}
	return page[:min(limit, len(page))], true
}
