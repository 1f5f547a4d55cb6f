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

// sortableImageKeys are the image attributes a list can be sorted by.
var sortableImageKeys = map[string]bool{
	"created_at": true, "updated_at": true, "name": true, "status": true, "id": true,
	"owner": true, "visibility": true, "disk_format": true, "container_format": true,
	"size": true, "min_disk": true, "min_ram": true,
}

func compareOn(a, b Image, key string) int {
	switch key {
	case "created_at":
		return a.CreatedAt.Compare(b.CreatedAt)
	case "updated_at":
		return a.UpdatedAt.Compare(b.UpdatedAt)
	case "name":
		return strings.Compare(a.Name, b.Name)
	case "status":
		return strings.Compare(a.Status, b.Status)
	case "owner":
		return strings.Compare(a.Owner, b.Owner)
	case "disk_format":
		return strings.Compare(a.DiskFormat, b.DiskFormat)
	case "container_format":
		return strings.Compare(a.ContainerFormat, b.ContainerFormat)
	case "size":
		return cmp.Compare(a.Size, b.Size)
	case "min_disk":
		return cmp.Compare(a.MinDisk, b.MinDisk)
	case "min_ram":
		return cmp.Compare(a.MinRAM, b.MinRAM)
	case "visibility":
		return 0 // every simulated image is private
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
