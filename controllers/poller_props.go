package controllers

import (
	"k8s.io/apimachinery/pkg/types"

	imagesv1 "github.com/serverimage-operator/serverimage-operator/api/v1alpha1"
	"github.com/serverimage-operator/serverimage-operator/internal/cloud"
)

// The drift check of image properties rides on the batched read the
// drift check already makes: tags, visibility and protection come with
// every image, so comparing them costs nothing. Members are not in that
// read, so objects that share their image are woken on every drift pass
// to list them (one call each, for those objects only).

// propsWatch is what the drift check compares for one image.
type propsWatch struct {
	// keep: the object keeps properties; recorded is its status's view
	// of them (propsKey), and sharing says it lists members.
	keep     bool
	recorded string
	sharing  bool
}

// watchPropsLocked refreshes what the drift check compares for si's image
// from its status after a pass.
func (p *imagePoller) watchPropsLocked(cloudUID types.UID, si *imagesv1.ServerImage) {
	cp := p.clouds[cloudUID]
	if cp == nil {
		return
	}
	t := cp.ready[si.Status.ImageID]
	if t == nil {
		return
	}
	st := si.Status.Properties
	if st == nil {
		t.propsWatch = propsWatch{}
		return
	}
	t.propsWatch = propsWatch{
		keep:     true,
		recorded: recordedKey(st),
		sharing:  len(si.Spec.Sharing) > 0 || len(st.OwnedMembers) > 0,
	}
}

// propsDrifted reports whether a drift read of a Ready image should wake
// its object for its properties: they differ from what it recorded, or it
// shares the image and lists members on every drift pass.
func (w *propsWatch) propsDrifted(img *cloud.Image) bool {
	switch {
	case !w.keep:
		return false
	case w.sharing:
		return true
	}
	// A read without the properties (Rackspace's poll API, Huawei's
	// tags) cannot tell: the object reads them itself, once per drift
	// pass (serverimage_propsread.go).
	return !img.PropsKnown || propsKey(img.Tags, string(img.Visibility), img.Protected) != w.recorded
}
