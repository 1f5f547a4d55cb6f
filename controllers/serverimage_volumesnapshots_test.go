package controllers_test

import (
	"slices"
	"testing"

	"k8s.io/utils/ptr"

	imagesv1 "github.com/serverimage-operator/serverimage-operator/api/v1alpha1"
	"github.com/serverimage-operator/serverimage-operator/internal/fakecloud"
	"github.com/serverimage-operator/serverimage-operator/internal/kubetest"
)

// TestSchedulePruningVolumeBackedLeavesNoSnapshot: a nightly-style schedule
// of a volume-backed server with maxCount and Delete keeps exactly the
// snapshots of the images it keeps.
func TestSchedulePruningVolumeBackedLeavesNoSnapshot(t *testing.T) {
	t.Parallel()
	h := newScheduleHarness(t, "2026-05-01T10:00:30Z", fakecloud.Options{})
	h.server = h.sim.AddVolumeBackedServer(fakecloud.Server{Name: "db-1"}, 10, 50).ID
	h.createSchedule("s", func(s *imagesv1.ServerImageSchedule) {
		s.Spec.Template.DeletionPolicy = imagesv1.DeletionPolicyDelete
		s.Spec.Retention = &imagesv1.ImageRetention{MaxCount: ptr.To[int32](1)}
	})
	var last *imagesv1.ServerImage
	for _, to := range []string{"2026-05-01T10:01:00Z", "2026-05-01T10:02:00Z", "2026-05-01T10:03:00Z"} {
		h.tick("s", to)
		name := runAt("s", to)
		kubetest.Eventually(t, waitTimeout, "run "+name, func() bool { return slices.Contains(h.runNames("s"), name) })
		last = h.WaitReady(name)
		if len(last.Status.VolumeSnapshots) != 2 {
			t.Fatalf("run %s recorded %+v, want two snapshots", name, last.Status.VolumeSnapshots)
		}
	}
	h.waitRuns("s", last.Name)
	kept := []string{last.Status.VolumeSnapshots[0].ID, last.Status.VolumeSnapshots[1].ID}
	slices.Sort(kept)
	kubetest.UntilEqual(t, h.Wait, "the snapshots in the cloud", func() []string {
		var ids []string
		for _, s := range h.sim.VolumeSnapshots() {
			ids = append(ids, s.ID)
		}
		return ids
	}, kept)
}
