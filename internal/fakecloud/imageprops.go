package fakecloud

import (
	"errors"
	"maps"
	"slices"
	"sort"
)

// Image properties after creation (tags, visibility, protection) and
// members, kept in the store for every dialect that serves them.

// Operations of the image-property and member calls.
const (
	OpUpdateImage  Op = "updateImage"  // PATCH /v2/images/{id}
	OpImageTag     Op = "imageTag"     // PUT|DELETE /v2/images/{id}/tags/{tag}
	OpListMembers  Op = "listMembers"  // GET /v2/images/{id}/members
	OpAddMember    Op = "addMember"    // POST /v2/images/{id}/members
	OpRemoveMember Op = "removeMember" // DELETE /v2/images/{id}/members/{member}
	OpUpdateMember Op = "updateMember" // PUT /v2/images/{id}/members/{member}
)

// Errors of the property and member calls, mapped to each dialect's codes.
var (
	errNotShared       = errors.New("image is not shared")
	errDuplicateMember = errors.New("member is duplicated")
	errMemberNotFound  = errors.New("member not found")
	errTagNotFound     = errors.New("tag not found")
	errTooManyTags     = errors.New("too many tags")
)

// ImageProps are what the fronts render of an image besides its core
// fields. A zero Visibility reads as private.
type ImageProps struct {
	Tags       []string
	Visibility string
	Protected  bool
	// Members maps a project to its status (pending, accepted, rejected).
	Members map[string]string
}

func cloneProps(p ImageProps) ImageProps {
	p.Tags = slices.Clone(p.Tags)
	p.Members = maps.Clone(p.Members)
	return p
}

func (p ImageProps) visibility() string {
	if p.Visibility == "" {
		return "private"
	}
	return p.Visibility
}

func (p ImageProps) tags() []string {
	if p.Tags == nil {
		return []string{}
	}
	return p.Tags
}

// updateImage changes image id's stored record with change, which sees
// the image as it is now (status resolved).
func (st *store) updateImage(id string, change func(*Image) error) (Image, error) {
	st.mu.Lock()
	defer st.mu.Unlock()
	r, ok := st.images[id]
	if !ok {
		return Image{}, errImageNotFound
	}
	img, ok := st.resolve(id, r, st.clock.read(st.now()))
	if !ok {
		return Image{}, errImageNotFound
	}
	if err := change(&img); err != nil {
		return Image{}, err
	}
	// Only the properties change: the record's lifecycle keeps its course.
	r.img.ImageProps = cloneProps(img.ImageProps)
	img.UpdatedAt = st.now().UTC()
	return img, nil
}

func addTag(img *Image, tag string) {
	if !slices.Contains(img.Tags, tag) {
		img.Tags = append(slices.Clone(img.Tags), tag)
		sort.Strings(img.Tags)
	}
}

func removeTag(img *Image, tag string) error {
	i := slices.Index(img.Tags, tag)
	if i < 0 {
		return errTagNotFound
	}
	img.Tags = slices.Delete(slices.Clone(img.Tags), i, i+1)
	return nil
}

// addMember shares an image; Glance and SCP need it shared first.
func addMember(img *Image, project string, needShared bool) error {
	if needShared && img.visibility() != "shared" {
		return errNotShared
	}
	if _, ok := img.Members[project]; ok {
		return errDuplicateMember
	}
	if img.Members == nil {
		img.Members = map[string]string{}
	}
	img.Members[project] = "pending"
	return nil
}

func removeMember(img *Image, project string) error {
	if _, ok := img.Members[project]; !ok {
		return errMemberNotFound
	}
	delete(img.Members, project)
	return nil
}

// members lists an image's members, sorted by project.
func (p ImageProps) members() []string {
	return slices.Sorted(maps.Keys(p.Members))
}

// SetImageProps replaces an image's properties, as a person with the
// cloud's console would (tests: drift).
func (c *Cloud) SetImageProps(id string, p ImageProps) error {
	_, err := c.store.updateImage(id, func(img *Image) error {
		img.ImageProps = cloneProps(p)
		return nil
	})
	return err
}
