package cloud

// KeyedImageName is the exact name FindImages looks for in a driver that
// keeps the idempotency key in the image name: name(q.Name, key) is how
// its CreateImage names images. The key is required, as without it any
// image of that name would match. ok is false when CreateImage refuses
// such a name before calling the cloud: then no image can carry it, and
// the search finds nothing.
func KeyedImageName(q FindImagesQuery, name func(name, key string) (string, error)) (full string, ok bool, err error) {
	if q.IdempotencyKey == "" {
		return "", false, Invalid(OpFindImages, "no idempotency key given")
	}
	full, err = name(q.Name, q.IdempotencyKey)
	return full, err == nil, nil
}
