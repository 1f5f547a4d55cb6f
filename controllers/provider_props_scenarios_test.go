package controllers_test

import (
	"context"
	"fmt"
	"maps"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"k8s.io/client-go/util/retry"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"

	imagesv1 "github.com/serverimage-operator/serverimage-operator/api/v1alpha1"
	"github.com/serverimage-operator/serverimage-operator/internal/fakecloud"
)

// Image properties and sharing through the provider table: what a provider
// keeps is applied, changed, removed and put back; what it does not is
// refused before any call.

// keepsProperties: the simulator dialects whose driver keeps protection
// and members (Glance behind the OpenStack provider, Rackspace Cloud
// Images, SCP; the public cloud reads images through the Nova proxy);
// keepsTags: the dialects whose driver keeps tags (SCP's live in another
// API; Huawei's are key/value, at most 10).
func keepsProperties(p provider) bool {
	return p.name == openStack.name || p.name == scp.name || p.name == rackspace.name
}
func keepsTags(p provider) bool {
	return p.name == openStack.name || p.name == rackspace.name || p.name == huawei.name
}

// tagLimit is how many tags the provider takes (0: not checked).
func tagLimit(p provider) int {
	if p.name == huawei.name {
		return 10
	}
	return 0
}

// refusesTags: tags are refused, all of them or beyond a limit.
func refusesTags(p provider) bool { return !keepsTags(p) || tagLimit(p) > 0 }

// visibilityOf is the simulator image's visibility as the cloud reads
// it: one never set is private.
func visibilityOf(img fakecloud.Image) string {
	if img.Visibility == "" {
		return "private"
	}
	return img.Visibility
}

// sharedVisibility is the visibility of a shared image: shared where the
// cloud has it, private on Rackspace (members on private images).
func sharedVisibility(p provider) string {
	if p.name == rackspace.name {
		return "private"
	}
	return "shared"
}

// keepsSharing: the dialects whose driver keeps members (Huawei's IMS
// keeps only those).
func keepsSharing(p provider) bool { return keepsProperties(p) || p.name == huawei.name }

// tagsIf is tags where the provider keeps them.
func tagsIf(p provider, tags ...imagesv1.ImageTag) []imagesv1.ImageTag {
	if !keepsTags(p) {
		return nil
	}
	return tags
}

const (
	consumerA = "a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0"
	consumerB = "b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1"
)

func consumers(ids ...string) []imagesv1.ImageConsumer {
	out := make([]imagesv1.ImageConsumer, 0, len(ids))
	for _, id := range ids {
		out = append(out, imagesv1.ImageConsumer{Project: id})
	}
	return out
}

// editSpec changes the ServerImage's spec, retrying on conflicts.
func (s *scenario) editSpec(name string, edit func(*imagesv1.ServerImage)) {
	s.T.Helper()
	err := retry.RetryOnConflict(retry.DefaultRetry, func() error {
		si := &imagesv1.ServerImage{}
		if err := k8s.Get(context.Background(), s.Key(name), si); err != nil {
			return err
		}
		edit(si)
		return k8s.Update(context.Background(), si)
	})
	if err != nil {
		s.T.Fatal(err)
	}
}

// waitApplied waits until the properties of the object's current
// generation are applied, no member job runs, and cond holds.
func (s *scenario) waitApplied(name string, cond func(*imagesv1.ImagePropertiesStatus) bool) *imagesv1.ServerImage {
	s.T.Helper()
	return s.WaitServerImage(name, "properties applied", func(si *imagesv1.ServerImage) bool {
		st := si.Status.Properties
		return readyOf(si) != nil && readyOf(si).Status == "True" && st != nil && st.ObservedGeneration == si.Generation && len(st.MemberJobs) == 0 && cond(st)
	})
}

func (s *scenario) simImage(id string) fakecloud.Image {
	s.T.Helper()
	img, ok := s.sim.Image(id)
	if !ok {
		s.T.Fatalf("image %s is gone", id)
	}
	return img
}

// propertiesLifecycle: set, change and remove every field; a tag added by
// hand survives everything, being no one's but its author's.
func propertiesLifecycle(t *testing.T, p provider) {
	s := p.start(t, fakecloud.Options{})
	si := s.readyImage("golden", func(si *imagesv1.ServerImage) {
		si.Spec.Tags = tagsIf(p, "golden", "nightly")
		si.Spec.Protected = ptr.To(true)
		si.Spec.Sharing = consumers(consumerA, consumerB)
	})
	si = s.waitApplied("golden", func(st *imagesv1.ImagePropertiesStatus) bool { return len(st.Members) == 2 })
	id := si.Status.ImageID
	img := s.simImage(id)
	if !slices.Equal(img.Tags, asStrings(tagsIf(p, "golden", "nightly"))) || visibilityOf(img) != sharedVisibility(p) || !img.Protected ||
		!slices.Equal(slices.Sorted(maps.Keys(img.Members)), []string{consumerA, consumerB}) {
		t.Fatalf("cloud image after set: %+v", img.ImageProps)
	}
	if st := si.Status.Properties; st.Visibility != sharedVisibility(p) || !*st.Protected || st.Members[0].Status != imagesv1.MemberPending {
		t.Errorf("status after set: %+v", st)
	}

	byHand := s.simImage(id).ImageProps
	byHand.Tags = append(byHand.Tags, asStrings(tagsIf(p, "by-hand"))...)
	if err := s.sim.SetImageProps(id, byHand); err != nil {
		t.Fatal(err)
	}
	s.editSpec("golden", func(si *imagesv1.ServerImage) {
		si.Spec.Tags = tagsIf(p, "golden")
		si.Spec.Protected = ptr.To(false)
		si.Spec.Sharing = consumers(consumerA)
	})
	s.waitApplied("golden", func(st *imagesv1.ImagePropertiesStatus) bool { return len(st.Members) == 1 })
	img = s.simImage(id)
	slices.Sort(img.Tags)
	if !slices.Equal(img.Tags, asStrings(tagsIf(p, "by-hand", "golden"))) || img.Protected || slices.Collect(maps.Keys(img.Members))[0] != consumerA {
		t.Fatalf("cloud image after change: %+v", img.ImageProps)
	}

	s.editSpec("golden", func(si *imagesv1.ServerImage) { si.Spec.ImageProperties = imagesv1.ImageProperties{} })
	s.WaitServerImage("golden", "properties released", func(si *imagesv1.ServerImage) bool {
		return si.Status.ObservedGeneration == si.Generation && si.Status.Properties == nil
	})
	img = s.simImage(id)
	if !slices.Equal(img.Tags, asStrings(tagsIf(p, "by-hand"))) || len(img.Members) != 0 || visibilityOf(img) != "private" || img.Protected {
		t.Errorf("cloud image after removal: %+v", img.ImageProps)
	}
}

// propertiesDrift: a tag and a member removed in the cloud are put back by
// the drift check, with an Event that says so.
func propertiesDrift(t *testing.T, p provider) {
	s := p.start(t, fakecloud.Options{})
	s.readyImage("golden", func(si *imagesv1.ServerImage) {
		si.Spec.Tags = tagsIf(p, "golden")
		si.Spec.Sharing = consumers(consumerA)
	})
	si := s.waitApplied("golden", func(st *imagesv1.ImagePropertiesStatus) bool { return len(st.Members) == 1 })
	if err := s.sim.SetImageProps(si.Status.ImageID, fakecloud.ImageProps{Visibility: sharedVisibility(p)}); err != nil {
		t.Fatal(err)
	}
	note := s.WaitEvent("golden", "Warning", "PropertiesRestored")
	if (keepsTags(p) && !contains(note, "golden")) || !contains(note, consumerA) {
		t.Errorf("drift Event %q does not say what was put back", note)
	}
	s.waitApplied("golden", func(st *imagesv1.ImagePropertiesStatus) bool {
		return len(st.Members) == 1 && len(st.Tags) == len(tagsIf(p, "golden"))
	})
	if img := s.simImage(si.Status.ImageID); !slices.Equal(img.Tags, asStrings(tagsIf(p, "golden"))) || img.Members[consumerA] == "" {
		t.Errorf("cloud image after the drift check: %+v", img.ImageProps)
	}
}

// refusesSomething: the provider refuses some property field.
func refusesSomething(p provider) bool { return refusesTags(p) || p.name == rackspace.name }

// unsupportedSpec is a spec the provider refuses, and the field the
// refusal must name: tags (beyond the limit, where there is one), or on
// Rackspace, which keeps tags, the shared visibility it does not have.
func unsupportedSpec(p provider) (func(*imagesv1.ServerImage), string) {
	if p.name == rackspace.name {
		return func(si *imagesv1.ServerImage) { si.Spec.Visibility = imagesv1.VisibilityShared }, "spec.visibility shared"
	}
	tags := []imagesv1.ImageTag{"golden"}
	for i := 1; i <= tagLimit(p); i++ {
		tags = append(tags, imagesv1.ImageTag(fmt.Sprintf("t%d", i)))
	}
	field := "spec.tags"
	if tagLimit(p) > 0 {
		field = fmt.Sprintf("more than %d spec.tags", tagLimit(p))
	}
	return func(si *imagesv1.ServerImage) { si.Spec.Tags = tags }, field
}

// propertiesUnsupported: a field the provider cannot keep is refused,
// naming the provider and the field, before any cloud call.
func propertiesUnsupported(t *testing.T, p provider) {
	s := p.start(t, fakecloud.Options{})
	srv := s.sim.AddServer(fakecloud.Server{})
	edit, field := unsupportedSpec(p)
	s.serverImage("tagged", srv.ID, edit)
	si := s.WaitCondition("tagged", imagesv1.ConditionStalled, imagesv1.ReasonUnsupportedImageProperty)
	if msg := readyOf(si).Message; !contains(msg, field) || !contains(msg, "provider ") {
		t.Errorf("refusal %q does not name the provider and the field", msg)
	}
	// (Some Clouds list images to check their credentials: that is the
	// Cloud's call, made before the object existed.)
	for _, op := range []fakecloud.Op{fakecloud.OpGetServer, fakecloud.OpCreateImage, fakecloud.OpGetImage} {
		s.wantCalls(op, 0)
	}
}

// protectedDelete: deletionPolicy Delete on a protected, shared image
// removes the members, unprotects and deletes (docs/architecture.md).
func protectedDelete(t *testing.T, p provider) {
	s := p.start(t, fakecloud.Options{})
	s.readyImage("golden", func(si *imagesv1.ServerImage) {
		si.Spec.DeletionPolicy = imagesv1.DeletionPolicyDelete
		si.Spec.Protected = ptr.To(true)
		si.Spec.Sharing = consumers(consumerA)
	})
	si := s.waitApplied("golden", func(st *imagesv1.ImagePropertiesStatus) bool { return len(st.Members) == 1 })
	s.Delete(si)
	s.WaitServerImageGone("golden")
	if _, exists := s.sim.Image(si.Status.ImageID); exists {
		t.Errorf("protected image %s survived deletionPolicy Delete", si.Status.ImageID)
	}
	s.wantCalls(fakecloud.OpRemoveMember, 1)
}

// TestScheduleImagesAreShared: each run of a schedule carries the
// template's tags, protection and sharing.
func TestScheduleImagesAreShared(t *testing.T) {
	t.Parallel()
	h := newScheduleHarness(t, "2026-05-01T10:00:30Z", fakecloud.Options{})
	h.createSchedule("nightly", func(s *imagesv1.ServerImageSchedule) {
		s.Spec.Template.Tags = []imagesv1.ImageTag{"golden"}
		s.Spec.Template.Protected = ptr.To(true)
		s.Spec.Template.Sharing = consumers(consumerA, consumerB)
		s.Spec.Template.DeletionPolicy = imagesv1.DeletionPolicyDelete
	})
	h.tick("nightly", "2026-05-01T10:01:00Z")
	run := runAt("nightly", "2026-05-01T10:01:00Z")
	h.waitRuns("nightly", run)
	si := h.waitApplied(run, func(st *imagesv1.ImagePropertiesStatus) bool { return len(st.Members) == 2 })
	img := h.simImage(si.Status.ImageID)
	if !img.Protected || !slices.Equal(img.Tags, []string{"golden"}) || len(img.Members) != 2 ||
		!strings.HasPrefix(img.Name, "nightly-") {
		t.Errorf("the run's image: %s %+v", img.Name, img.ImageProps)
	}
}

// TestVisibilityPublicIsRejected: CEL refuses what no provider allows.
func TestVisibilityPublicIsRejected(t *testing.T) {
	t.Parallel()
	s := newSimScenario(t, fakecloud.Options{}, "sim")
	for vis, want := range map[imagesv1.ImageVisibility]string{
		"public":  "reserved to cloud administrators",
		"private": "spec.sharing needs visibility shared",
	} {
		si := &imagesv1.ServerImage{ObjectMeta: s.Meta("v-" + string(vis)), Spec: imagesv1.ServerImageSpec{
			CloudRef: imagesv1.CloudReference{Name: "sim"}, ServerID: "2a9be312-5d4b-4bc8-b2ae-35100fa9241f",
			ImageProperties: imagesv1.ImageProperties{Visibility: vis, Sharing: consumers(consumerA)},
		}}
		err := k8s.Create(context.Background(), si)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("visibility %s with sharing: %v, want %q", vis, err, want)
		}
	}
}

// TestGoldenScheduleSampleIsValid: the README's golden-image schedule is
// accepted as written.
func TestGoldenScheduleSampleIsValid(t *testing.T) {
	t.Parallel()
	obj := readSample(t, filepath.Join("..", "config", "samples", "images_v1alpha1_serverimageschedule_golden.yaml"))
	obj.SetNamespace(newNamespace(t))
	if err := k8s.Create(context.Background(), obj, client.FieldValidation("Strict")); err != nil {
		t.Fatalf("the API server rejects the golden sample: %v", err)
	}
	sched := &imagesv1.ServerImageSchedule{}
	if err := k8s.Get(context.Background(), client.ObjectKeyFromObject(obj), sched); err != nil {
		t.Fatal(err)
	}
	tpl := sched.Spec.Template
	if len(tpl.Sharing) != 2 || tpl.Sharing[1].CloudRef == nil || !ptr.Deref(tpl.Protected, false) || len(tpl.Tags) != 2 || ptr.Deref(sched.Spec.Retention.MaxCount, 0) != 7 {
		t.Errorf("golden sample read back as %+v", sched.Spec)
	}
}

// memberResponseLost: the answer to a member call is lost after the cloud
// acted (as in a crash between two member calls): the next pass finds the
// member, records it as the operator's and finishes the rest, and removing
// the consumers later removes both members.
func memberResponseLost(t *testing.T, p provider) {
	s := p.start(t, fakecloud.Options{})
	s.sim.InjectFault(fakecloud.Fault{Op: fakecloud.OpAddMember, Times: 1, DropResponse: true})
	s.readyImage("golden", func(si *imagesv1.ServerImage) { si.Spec.Sharing = consumers(consumerA, consumerB) })
	si := s.waitApplied("golden", func(st *imagesv1.ImagePropertiesStatus) bool { return len(st.Members) == 2 })
	if st := si.Status.Properties; !slices.Equal(slices.Sorted(slices.Values(st.OwnedMembers)), []string{consumerA, consumerB}) {
		t.Errorf("owned members %v after the lost answer", st.OwnedMembers)
	}
	s.wantCalls(fakecloud.OpAddMember, 2)
	s.editSpec("golden", func(si *imagesv1.ServerImage) { si.Spec.Sharing = nil })
	s.WaitServerImage("golden", "members released", func(si *imagesv1.ServerImage) bool {
		return si.Status.ObservedGeneration == si.Generation && si.Status.Properties == nil
	})
	if img := s.simImage(si.Status.ImageID); len(img.Members) != 0 || (keepsProperties(p) && visibilityOf(img) != "private") {
		t.Errorf("cloud image after removing the consumers: %+v", img.ImageProps)
	}
}

func asStrings(tags []imagesv1.ImageTag) []string {
	out := make([]string, 0, len(tags))
	for _, t := range tags {
		out = append(out, string(t))
	}
	return out
}

// shareAccepted: a consumer with a cloudRef gets the share accepted with
// that Cloud's credentials (SCP: the consumer account's Secret carries its
// accountId; the simulator has one key pair for every account).
func shareAccepted(t *testing.T, p provider) {
	s := p.start(t, fakecloud.Options{})
	s.CreateCloud("consumer", with(p.secret(s.sim), "accountId", consumerA), p.cloud(s.sim))
	s.WaitCloudReady("consumer")
	s.readyImage("golden", func(si *imagesv1.ServerImage) {
		si.Spec.Sharing = []imagesv1.ImageConsumer{{Project: consumerA, CloudRef: &imagesv1.ConsumerCloudReference{Name: "consumer"}}}
	})
	si := s.waitApplied("golden", func(st *imagesv1.ImagePropertiesStatus) bool {
		return len(st.Members) == 1 && st.Members[0].Status == imagesv1.MemberAccepted
	})
	if img := s.simImage(si.Status.ImageID); img.Members[consumerA] != "accepted" {
		t.Errorf("members in the cloud: %v", img.Members)
	}
}

// memberJobFails: a Huawei member job that fails shows as a condition with
// the cloud's fail_reason.
func memberJobFails(t *testing.T, p provider) {
	s := p.start(t, fakecloud.Options{})
	const reason = "The image cannot be shared with project " + consumerA + "."
	s.sim.FailNextIMSJob(reason)
	s.readyImage("golden")
	s.editSpec("golden", func(si *imagesv1.ServerImage) { si.Spec.Sharing = consumers(consumerA) })
	si := s.WaitCondition("golden", imagesv1.ConditionStalled, imagesv1.ReasonPropertiesFailed)
	if msg := readyOf(si).Message; !contains(msg, reason) {
		t.Errorf("condition %q does not carry the job's fail_reason", msg)
	}
}
