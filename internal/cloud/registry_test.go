package cloud

import (
	"context"
	"errors"
	"testing"
)

func TestNewRefusesAProviderWithoutADriver(t *testing.T) {
	_, err := New(context.Background(), Config{Provider: "NoSuchCloud"})
	if !errors.Is(err, ErrProviderNotSupported) {
		t.Fatalf("error %v, want ErrProviderNotSupported", err)
	}
}
