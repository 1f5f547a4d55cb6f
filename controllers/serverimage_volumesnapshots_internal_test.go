package controllers

import (
	"context"

	"github.com/serverimage-operator/serverimage-operator/internal/cloud"
)

func (f *failingProvider) GetVolumeSnapshot(context.Context, string) (*cloud.VolumeSnapshot, error) {
	return nil, f.err
}
func (f *failingProvider) DeleteVolumeSnapshot(context.Context, string) error { return f.err }
