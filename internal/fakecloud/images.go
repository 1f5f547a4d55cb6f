package fakecloud

import (
	"crypto/md5"
	"crypto/sha512"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"maps"
	"sort"
	"time"
)

// fillActive gives an image the size and checksums an upload would have
// produced. They derive from the ID so that repeated reads agree.
func fillActive(img *Image) {
	sum := sha512.Sum512([]byte(img.ID))
	if img.Size == 0 {
		img.Size = int64(binary.BigEndian.Uint32(sum[:4])%(1<<30)) + 1<<20
	}
	if img.Checksum == "" {
		m := md5.Sum([]byte(img.ID))
		img.Checksum = hex.EncodeToString(m[:])
	}
	if img.HashAlgo == "" {
		img.HashAlgo, img.HashValue = "sha512", hex.EncodeToString(sum[:])
	}
	if img.DiskFormat == "" {
		img.DiskFormat = "qcow2"
	}
	if img.ContainerFormat == "" {
		img.ContainerFormat = "bare"
	}
}

// resolve computes an image's state now. It reports false for an image
// that no longer exists (a failed snapshot reaching its failure point),
// and purges such records so later reads are cheap.
func (st *store) resolve(id string, r *imageRec, lnow time.Duration) (Image, bool) {
	if r.life == nil {
		return cloneImage(r.img), true
	}
	p := r.life.phaseAt(lnow)
	if p.status == "" {
		delete(st.images, id)
		return Image{}, false
	}
	img := cloneImage(r.img)
	img.Status = p.status
	if p.since > r.life.born {
		img.UpdatedAt = st.clock.wallAt(p.since).UTC()
	}
	if p.status == StatusSaving || p.status == StatusActive {
		// The upload sets the formats; size and checksum follow at the end.
		img.DiskFormat, img.ContainerFormat = "qcow2", "bare"
	}
	if p.status == StatusActive {
		fillActive(&img)
		img.ActivatedAt = img.UpdatedAt
		// Nothing changes any more: pin the result and drop the schedule.
		r.img, r.life = cloneImage(img), nil
	}
	return img, true
}

func cloneImage(img Image) Image {
	img.Properties = maps.Clone(img.Properties)
	img.ImageProps = cloneProps(img.ImageProps)
	if img.Properties == nil {
		img.Properties = map[string]string{}
	}
	return img
}

func (st *store) image(id string) (Image, bool) {
	st.mu.Lock()
	defer st.mu.Unlock()
	r, ok := st.images[id]
	if !ok {
		return Image{}, false
	}
	return st.resolve(id, r, st.clock.read(st.now()))
}

// imagesByID returns the existing images among ids, oldest first.
func (st *store) imagesByID(ids []string) []Image {
	st.mu.Lock()
	defer st.mu.Unlock()
	lnow := st.clock.read(st.now())
	out := make([]Image, 0, len(ids))
	seen := make(map[string]bool, len(ids))
	for _, id := range ids {
		r, ok := st.images[id]
		if !ok || seen[id] {
			continue
		}
		seen[id] = true
		if img, ok := st.resolve(id, r, lnow); ok {
			out = append(out, img)
		}
	}
	sortOldestFirst(out)
	return out
}

// imagesWhere returns the existing images whose stored record matches
// match, oldest first; match sees the record before its life is applied,
// so it must test only what the life does not change.
func (st *store) imagesWhere(match func(*Image) bool) []Image {
	st.mu.Lock()
	defer st.mu.Unlock()
	lnow := st.clock.read(st.now())
	var out []Image
	for id, r := range st.images {
		if !match(&r.img) {
			continue
		}
		if img, ok := st.resolve(id, r, lnow); ok {
			out = append(out, img)
		}
	}
	sortOldestFirst(out)
	return out
}

// imageList returns every existing image, oldest first.
func (st *store) imageList() []Image {
	return st.imagesWhere(func(*Image) bool { return true })
}

func sortOldestFirst(imgs []Image) {
	sort.Slice(imgs, func(i, j int) bool {
		if !imgs[i].CreatedAt.Equal(imgs[j].CreatedAt) {
			return imgs[i].CreatedAt.Before(imgs[j].CreatedAt)
		}
		return imgs[i].ID < imgs[j].ID
	})
}

// deleteImage deletes an image; false when it does not exist.
func (st *store) deleteImage(id string) bool {
	st.mu.Lock()
	defer st.mu.Unlock()
	r, ok := st.images[id]
	if !ok {
		return false
	}
	if _, ok := st.resolve(id, r, st.clock.read(st.now())); !ok {
		return false
	}
	delete(st.images, id)
	return true
}

// addImage stores a pre-existing image with a fixed status.
func (st *store) addImage(img Image) Image {
	st.mu.Lock()
	defer st.mu.Unlock()
	now := st.now().UTC()
	if img.ID == "" {
		img.ID = newUUID()
	}
	if img.Status == "" {
		img.Status = StatusActive
	}
	if img.Name == "" {
		img.Name = "image-" + shortID(img.ID)
	}
	if img.Owner == "" {
		img.Owner = st.projectID
	}
	img = cloneImage(img)
	if img.ServerID != "" && img.Properties["instance_uuid"] == "" {
		img.Properties["instance_uuid"] = img.ServerID
	}
	if img.ServerID == "" {
		img.ServerID = img.Properties["instance_uuid"]
	}
	if img.CreatedAt.IsZero() {
		img.CreatedAt = now
	}
	if img.UpdatedAt.IsZero() {
		img.UpdatedAt = img.CreatedAt
	}
	if img.Status == StatusActive {
		fillActive(&img)
		if img.ActivatedAt.IsZero() {
			img.ActivatedAt = img.UpdatedAt
		}
	}
	// Glance hides deleted images, so adding one adds nothing visible.
	if img.Status != StatusDeleted {
		st.images[img.ID] = &imageRec{img: img}
	}
	return cloneImage(img)
}

// setImageStatus pins an image's status, ending its lifecycle. "deleted"
// removes it, as Glance hides deleted images from GET and list.
func (st *store) setImageStatus(id, status string) error {
	st.mu.Lock()
	defer st.mu.Unlock()
	r, ok := st.images[id]
	if !ok {
		return fmt.Errorf("%w: %s", errImageNotFound, id)
	}
	img, ok := st.resolve(id, r, st.clock.read(st.now()))
	if !ok {
		return fmt.Errorf("%w: %s", errImageNotFound, id)
	}
	if status == StatusDeleted {
		delete(st.images, id)
		return nil
	}
	now := st.now().UTC()
	if img.Status != status {
		img.UpdatedAt = now
	}
	img.Status = status
	if status == StatusActive {
		fillActive(&img)
		if img.ActivatedAt.IsZero() {
			img.ActivatedAt = now
		}
	}
	r.img, r.life = img, nil
	return nil
}

func (st *store) removeImage(id string) {
	st.mu.Lock()
	defer st.mu.Unlock()
	delete(st.images, id)
}
