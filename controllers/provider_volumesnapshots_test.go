package controllers_test

import (
	"encoding/json"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/watch"
	"sigs.k8s.io/controller-runtime/pkg/client"

	imagesv1 "github.com/serverimage-operator/serverimage-operator/api/v1alpha1"
	"github.com/serverimage-operator/serverimage-operator/internal/fakecloud"
)

// Scenarios of images of volume-backed servers: the image is a list of
// block-storage snapshots, which Delete removes with it.

func listsVolumeSnapshots(p provider) bool { return p.volumeSnapshots }

// volumeBackedImage creates a ServerImage of a new volume-backed server
// (volumes of 10 and 20 GiB) whose snapshots take a while, and waits until
// it is Ready, having seen it wait for them.
func (s *scenario) volumeBackedImage(name string, policy imagesv1.DeletionPolicy) *imagesv1.ServerImage {
	s.T.Helper()
	s.sim.SetVolumeSnapshotTimes(time.Second, 0)
	srv := s.sim.AddVolumeBackedServer(fakecloud.Server{}, 10, 20)
	s.serverImage(name, srv.ID, func(si *imagesv1.ServerImage) { si.Spec.DeletionPolicy = policy })
	s.WaitCondition(name, imagesv1.ConditionReconciling, imagesv1.ReasonVolumeSnapshotsPending)
	si := s.WaitReady(name)
	snaps := si.Status.VolumeSnapshots
	if len(snaps) != 2 {
		s.T.Fatalf("status.volumeSnapshots %+v, want the two snapshots", snaps)
	}
	for i, want := range []int32{10, 20} {
		if snaps[i].Status != fakecloud.SnapshotAvailable || snaps[i].VolumeSizeGiB == nil || *snaps[i].VolumeSizeGiB != want {
			s.T.Errorf("snapshot %d recorded as %+v, want available, %d GiB", i, snaps[i], want)
		}
		if _, ok := s.sim.VolumeSnapshot(snaps[i].ID); !ok {
			s.T.Errorf("recorded snapshot %s is not in the cloud", snaps[i].ID)
		}
	}
	return si
}

// wantSnapshots checks which of the recorded snapshots the cloud still has.
func (s *scenario) wantSnapshots(si *imagesv1.ServerImage, exist ...bool) {
	s.T.Helper()
	for i, rec := range si.Status.VolumeSnapshots {
		if _, ok := s.sim.VolumeSnapshot(rec.ID); ok != exist[i] {
			s.T.Errorf("snapshot %s exists = %v, want %v", rec.ID, ok, exist[i])
		}
	}
}

func volumeBackedDelete(t *testing.T, p provider) {
	s := p.start(t, fakecloud.Options{})
	si := s.volumeBackedImage("bfv", imagesv1.DeletionPolicyDelete)
	s.Delete(si)
	s.WaitServerImageGone("bfv")
	if _, ok := s.sim.Image(si.Status.ImageID); ok {
		t.Error("image left")
	}
	s.wantSnapshots(si, false, false)
	if n := len(s.sim.VolumeSnapshots()); n != 0 {
		t.Errorf("%d snapshots left in the cloud", n)
	}
	s.WaitEvent("bfv", "Normal", "VolumeSnapshotsDeleted")
}

func volumeBackedRetain(t *testing.T, p provider) {
	s := p.start(t, fakecloud.Options{})
	si := s.volumeBackedImage("bfv", imagesv1.DeletionPolicyRetain)
	s.Delete(si)
	s.WaitServerImageGone("bfv")
	if _, ok := s.sim.Image(si.Status.ImageID); !ok {
		t.Error("retained image deleted")
	}
	s.wantSnapshots(si, true, true)
	s.wantCalls(fakecloud.OpDeleteVolumeSnapshot, 0)
}

// volumeSnapshotInUse: a snapshot a volume was made from comes back from
// deleting; the object keeps its finalizer and says which snapshot and
// why, and the abandon annotation releases it with that snapshot kept.
func volumeSnapshotInUse(t *testing.T, p provider) {
	s := p.start(t, fakecloud.Options{})
	si := s.volumeBackedImage("bfv", imagesv1.DeletionPolicyDelete)
	busy := si.Status.VolumeSnapshots[1].ID
	s.sim.SetVolumeSnapshotInUse(busy, true)
	s.Delete(si)
	note := s.WaitEvent("bfv", "Warning", imagesv1.ReasonVolumeSnapshotInUse)
	if !contains(note, busy) || !contains(note, "volume was created from them") {
		t.Errorf("in-use event does not name the snapshot and why: %q", note)
	}
	cond := s.WaitCondition("bfv", imagesv1.ConditionReconciling, imagesv1.ReasonVolumeSnapshotInUse)
	if !contains(readyOf(cond).Message, busy) {
		t.Errorf("condition does not name the snapshot: %q", readyOf(cond).Message)
	}
	s.wantSnapshots(si, false, true)

	s.PatchAnnotation(cond, imagesv1.AbandonAnnotation, "true")
	s.WaitServerImageGone("bfv")
	s.wantSnapshots(si, false, true)
}

// volumeSnapshotsAfterCrash: the image is gone already (deleted by hand,
// or by a pass that crashed before the snapshots), and a snapshot delete's
// answer is lost: the record in status still deletes every snapshot.
func volumeSnapshotsAfterCrash(t *testing.T, p provider) {
	s := p.start(t, fakecloud.Options{})
	si := s.volumeBackedImage("bfv", imagesv1.DeletionPolicyDelete)
	s.sim.RemoveImage(si.Status.ImageID)
	s.sim.InjectFault(fakecloud.Fault{Op: fakecloud.OpDeleteVolumeSnapshot, DropResponse: true})
	s.Delete(si)
	s.WaitServerImageGone("bfv")
	s.wantSnapshots(si, false, false)
}

// volumeBackedImport: an imported image's snapshots are read the same way
// and follow its deletionPolicy.
func volumeBackedImport(t *testing.T, p provider) {
	s := p.start(t, fakecloud.Options{})
	snap := s.sim.AddVolumeSnapshot("snapshot for golden", 4)
	bdm, _ := json.Marshal([]map[string]any{{"source_type": "snapshot", "destination_type": "volume",
		"snapshot_id": snap.ID, "boot_index": 0, "volume_size": 4}})
	img := s.sim.AddImage(fakecloud.Image{Name: "golden", Properties: map[string]string{
		"block_device_mapping": string(bdm), "bdm_v2": "True", "root_device_name": "/dev/vda"}})
	s.CreateServerImage("imported", s.cloud, "", func(si *imagesv1.ServerImage) {
		si.Spec.Import = &imagesv1.ImageImport{ImageID: img.ID}
		si.Spec.DeletionPolicy = imagesv1.DeletionPolicyDelete
	})
	si := s.WaitReady("imported")
	if v := si.Status.VolumeSnapshots; len(v) != 1 || v[0].ID != snap.ID || v[0].Status != fakecloud.SnapshotAvailable {
		t.Fatalf("status.volumeSnapshots %+v, want %s available", v, snap.ID)
	}
	s.Delete(si)
	s.WaitServerImageGone("imported")
	if _, ok := s.sim.Image(img.ID); ok {
		t.Error("imported image left")
	}
	s.wantSnapshots(si, false)
}

// volumeSnapshotsUnknown: where the cloud gives no way to find them, a
// delete says that snapshots may be left, in a condition and an Event.
func volumeSnapshotsUnknown(t *testing.T, p provider) {
	s := p.start(t, fakecloud.Options{})
	si := s.readyImage("img", deleteWithImage)
	// The condition lives only as long as the deleted object: a watch
	// opened before the delete sees it.
	wc, err := client.NewWithWatch(cfg, client.Options{Scheme: k8s.Scheme()})
	if err != nil {
		t.Fatal(err)
	}
	w, err := wc.Watch(t.Context(), &imagesv1.ServerImageList{}, client.InNamespace(s.Name), client.MatchingFields{"metadata.name": "img"})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Stop()
	s.Delete(si)
	var seen *metav1.Condition
	timeout := time.After(30 * time.Second)
	for gone := false; !gone; {
		select {
		case ev := <-w.ResultChan():
			if ev.Type == watch.Deleted {
				gone = true
			}
			if obj, ok := ev.Object.(*imagesv1.ServerImage); ok {
				if c := meta.FindStatusCondition(obj.Status.Conditions, imagesv1.ConditionReady); c != nil && c.Reason == imagesv1.ReasonVolumeSnapshotsUnknown {
					seen = c
				}
			}
		case <-timeout:
			t.Fatal("the ServerImage was not deleted within 30s")
		}
	}
	if seen == nil || !contains(seen.Message, si.Status.ImageID) {
		t.Errorf("no Ready=False %s condition naming image %s before the object went (saw %+v)", imagesv1.ReasonVolumeSnapshotsUnknown, si.Status.ImageID, seen)
	}
	s.WaitServerImageGone("img")
	note := s.WaitEvent("img", "Warning", imagesv1.ReasonVolumeSnapshotsUnknown)
	if !contains(note, si.Status.ImageID) || !contains(note, "no way to find the volume snapshots") {
		t.Errorf("event %q", note)
	}
}
