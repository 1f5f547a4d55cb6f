package cloud

import (
	"errors"
	"testing"
)

func TestKeyedImageName(t *testing.T) {
	name := func(name, key string) (string, error) {
		if name == "bad" {
			return "", errors.New("refused")
		}
		return name + "-" + key, nil
	}
	if _, ok, err := KeyedImageName(FindImagesQuery{Name: "web"}, name); ok || ClassOf(err) != ClassInvalid {
		t.Errorf("without a key: ok %t, %v; want an Invalid error", ok, err)
	}
	if _, ok, err := KeyedImageName(FindImagesQuery{Name: "bad", IdempotencyKey: "k"}, name); ok || err != nil {
		t.Errorf("a name CreateImage refuses: ok %t, %v; want nothing to look for and no error", ok, err)
	}
	if full, ok, err := KeyedImageName(FindImagesQuery{Name: "web", IdempotencyKey: "k"}, name); !ok || err != nil || full != "web-k" {
		t.Errorf("got %q, %t, %v; want web-k", full, ok, err)
	}
}
