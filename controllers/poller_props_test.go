package controllers

import (
	"context"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/utils/ptr"

	imagesv1 "github.com/serverimage-operator/serverimage-operator/api/v1alpha1"
	"github.com/serverimage-operator/serverimage-operator/internal/cloud"
)

// TestDriftWakesOnlyObjectsThatKeepProperties: a drift read wakes an object
// for its properties only when it keeps some and they differ from its
// status, or when it shares its image (members are not in the read); an
// object that keeps none is never woken for them, so it costs nothing.
func TestDriftWakesOnlyObjectsThatKeepProperties(t *testing.T) {
	p := newImagePoller(time.Now, time.Hour)
	c := &imagesv1.Cloud{}
	c.UID, c.Name, c.Namespace = "cloud-uid", "c", "ns"
	prov := &failingProvider{}
	ready := func(name string, props *imagesv1.ImagePropertiesStatus, sharing ...string) *imagesv1.ServerImage {
		si := matrixServerImage()
		si.Name, si.UID = name, types.UID("uid-"+name)
		si.Status.ImageID = "img-" + name
		now := time.Now()
		si.Status.ActivatedTime = nowTime(now)
		setReady(&si.Status.Conditions, si.Generation, imagesv1.ReasonImageActive, "active")
		si.Status.Properties = props
		for _, s := range sharing {
			si.Spec.Sharing = append(si.Spec.Sharing, imagesv1.ImageConsumer{Project: s})
		}
		p.sync(si, c, prov)
		return si
	}
	plain := ready("plain", nil)
	tagged := ready("tagged", &imagesv1.ImagePropertiesStatus{Tags: []string{"golden"}, Visibility: "shared", Protected: ptr.To(false)})
	shared := ready("shared", &imagesv1.ImagePropertiesStatus{Visibility: "shared", Protected: ptr.To(false), OwnedMembers: []string{"a"}}, "a")

	read := func(tags []string, vis cloud.Visibility) map[string]cloud.Image {
		out := map[string]cloud.Image{}
		for _, si := range []*imagesv1.ServerImage{plain, tagged, shared} {
			out[si.Status.ImageID] = cloud.Image{ID: si.Status.ImageID, Phase: cloud.PhaseActive,
				ImageProps: cloud.ImageProps{PropsKnown: true, Tags: tags, Visibility: vis}}
		}
		return out
	}
	woken := func(found map[string]cloud.Image) map[string]bool {
		p.mu.Lock()
		defer p.mu.Unlock()
		cp := p.clouds[c.UID]
		ids := []string{plain.Status.ImageID, tagged.Status.ImageID, shared.Status.ImageID}
		out := map[string]bool{}
		for _, o := range p.recordLocked(context.Background(), cp, cp.ready, ids, found, nil, false) {
			out[string(o.Name)] = true
		}
		return out
	}
	// As recorded: only the sharing object (members are listed each pass).
	if w := woken(read([]string{"golden"}, cloud.VisibilityShared)); w["plain"] || w["tagged"] || !w["shared"] {
		t.Errorf("unchanged read woke %v", w)
	}
	// A tag removed by hand: the tagged object wakes; the plain one still not.
	if w := woken(read(nil, cloud.VisibilityPrivate)); w["plain"] || !w["tagged"] {
		t.Errorf("changed read woke %v", w)
	}
}

func nowTime(t time.Time) *metav1.Time { v := metav1.NewTime(t); return &v }
