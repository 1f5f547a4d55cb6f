//go:build openstack

package openstack

import (
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	imagesv1 "github.com/serverimage-operator/serverimage-operator/api/v1alpha1"
)

// TestServerBusy: two ServerImages of one server. Nova snapshots a server
// one image at a time (task_state set, createImage answers 409
// conflictingRequest meanwhile), so one must wait for the other: both end
// Ready, one after the other, with exactly two images in Glance.
//
//   - second-while-busy: the second object comes once Nova has accepted the
//     first; the server is visibly busy.
//   - at-once: both objects come together, so both createImage calls can
//     reach Nova within milliseconds. Nova 26 checks task_state, creates the
//     Glance image, then sets task_state with a compare-and-swap; the loser
//     of that race gets HTTP 500 (UnexpectedTaskStateError, not 409) and
//     its Glance image stays "queued" for ever, carrying the loser's
//     metadata, idempotency key included.
func TestServerBusy(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name     string
		together bool
	}{
		{name: "second-while-busy", together: false},
		{name: "at-once", together: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			busyScenario(t, tc.together)
		})
	}
}

func busyScenario(t *testing.T, together bool) {
	s := newScenario(t)
	rec := newRecorder(t)
	s.createCloud("cloud", passwordEntry, func(c *imagesv1.Cloud) {
		c.Spec.Endpoints = &imagesv1.CloudEndpoints{Compute: rec.URL}
	})
	s.WaitCloudReady("cloud")
	serverID := cloud.bootServer(t)
	// Long enough that the second object surely finds the server busy.
	setSwitch(t, "upload-seconds", serverID, "6")

	names := []string{"first", "second"}
	w := watchReasons(t, s, names)
	s.CreateServerImage("first", "cloud", serverID)
	if !together {
		s.WaitServerImage("first", "image ID recorded", func(si *imagesv1.ServerImage) bool { return si.Status.ImageID != "" })
	}
	s.CreateServerImage("second", "cloud", serverID)
	ready := waitBothReady(t, s, rec, serverID, names)
	w.stop()

	a, b := ready["first"], ready["second"]
	if a.Status.ImageID == b.Status.ImageID {
		t.Fatalf("both objects recorded image %s", a.Status.ImageID)
	}
	imgs := cloud.imagesOfServer(t, serverID)
	if len(imgs) != 2 {
		t.Fatalf("Glance has %d images of the server, want exactly 2: %+v", len(imgs), imgs)
	}
	got := []string{imgs[0].ID, imgs[1].ID}
	want := []string{a.Status.ImageID, b.Status.ImageID}
	sort.Strings(got)
	sort.Strings(want)
	if got[0] != want[0] || got[1] != want[1] {
		t.Errorf("Glance's images %v are not the recorded ones %v", got, want)
	}

	// One after the other: the later image was requested only after the
	// earlier one was finished (Glance's timestamps have 1 s resolution).
	byID := map[string]glanceImage{imgs[0].ID: imgs[0], imgs[1].ID: imgs[1]}
	early, late := byID[a.Status.ImageID], byID[b.Status.ImageID]
	if late.CreatedAt < early.CreatedAt {
		early, late = late, early
	}
	if late.CreatedAt < early.UpdatedAt {
		t.Errorf("the second image was created at %s, before the first was done at %s", late.CreatedAt, early.UpdatedAt)
	}

	statuses := map[int]int{}
	for _, c := range rec.createImageCalls(serverID) {
		statuses[c.Status]++
	}
	if statuses[202] != 2 {
		t.Errorf("Nova accepted %d createImage calls, want 2 (answers: %v)", statuses[202], statuses)
	}
	busy := w.busy()
	// Overlap shows as a 409 (busy), a ServerBusy wait, or, when both calls
	// reached Nova together, the race's 500 whose queued orphan the operator
	// must have replaced (Event OrphanImageReplaced).
	if statuses[409] == 0 && len(busy) == 0 && statuses[500] == 0 {
		t.Errorf("neither a 409 or 500 from Nova nor a ServerBusy condition was seen: did the two snapshots not overlap?")
	}
	if statuses[500] > 0 && !replacedOrphan(s, names) {
		t.Errorf("Nova failed a createImage with 500 (the task_state race) but no OrphanImageReplaced Event was recorded")
	}
	t.Logf("createImage answers %v; ServerBusy seen on %v", statuses, busy)
}

// waitBothReady waits for both objects to be Ready. It fails early, with
// the explanation, when one of them follows an image Nova abandoned: still
// queued while the server has been idle for a while.
func waitBothReady(t *testing.T, s *scenario, rec *recorder, serverID string, names []string) map[string]*imagesv1.ServerImage {
	t.Helper()
	out := map[string]*imagesv1.ServerImage{}
	deadline := time.Now().Add(waitTimeout)
	var idleSince time.Time
	for len(out) < len(names) {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for both ServerImages to be Ready; Ready: %v", keys(out))
		}
		for _, n := range names {
			si := s.ServerImage(n)
			if r := readyOf(si); r.Status == metav1.ConditionTrue {
				out[n] = si
				continue
			}
			if meta.IsStatusConditionTrue(si.Status.Conditions, imagesv1.ConditionStalled) {
				t.Fatalf("ServerImage %s stalled: %+v", n, si.Status.Conditions)
			}
			if si.Status.ImageID == "" {
				continue
			}
			img, found := cloud.getImage(t, si.Status.ImageID)
			_, task, err := cloud.serverState(t.Context(), serverID)
			if !found || img.Status != "queued" || err != nil || task != "" {
				idleSince = time.Time{}
				continue
			}
			if idleSince.IsZero() {
				idleSince = time.Now()
			} else if time.Since(idleSince) > 20*time.Second {
				t.Fatalf("ServerImage %s follows image %s, which has been queued for %s while the server is idle: "+
					"Nova abandoned it (a createImage that lost the task_state race answers 500 and leaves its queued "+
					"Glance image behind, with the object's idempotency key); the operator adopted it and will wait "+
					"until spec.timeout. Nova's answers to createImage: %s. Conditions: %+v",
					n, img.ID, time.Since(idleSince).Round(time.Second), answers(rec.createImageCalls(serverID)), si.Status.Conditions)
			}
		}
		time.Sleep(250 * time.Millisecond)
	}
	return out
}

// answers summarises createImage calls: status, and the body of errors.
func answers(calls []call) string {
	var parts []string
	for _, c := range calls {
		p := strconv.Itoa(c.Status)
		if c.Status >= 400 {
			p += " " + strings.TrimSpace(c.Body)
		}
		parts = append(parts, p)
	}
	return "[" + strings.Join(parts, "; ") + "]"
}

// reasonWatch records which objects ever showed Reconciling=ServerBusy.
type reasonWatch struct {
	mu   sync.Mutex
	seen map[string]bool
	done chan struct{}
	quit chan struct{}
}

func watchReasons(t *testing.T, s *scenario, names []string) *reasonWatch {
	w := &reasonWatch{seen: map[string]bool{}, done: make(chan struct{}), quit: make(chan struct{})}
	go func() {
		defer close(w.done)
		for {
			select {
			case <-w.quit:
				return
			case <-time.After(100 * time.Millisecond):
			}
			for _, n := range names {
				si := &imagesv1.ServerImage{}
				if err := k8s.Get(t.Context(), s.Key(n), si); err != nil {
					continue
				}
				c := meta.FindStatusCondition(si.Status.Conditions, imagesv1.ConditionReconciling)
				if c != nil && c.Status == metav1.ConditionTrue && c.Reason == imagesv1.ReasonServerBusy {
					w.mu.Lock()
					w.seen[n] = true
					w.mu.Unlock()
				}
			}
		}
	}()
	t.Cleanup(w.stop)
	return w
}

func (w *reasonWatch) stop() {
	select {
	case <-w.quit:
	default:
		close(w.quit)
	}
	<-w.done
}

func (w *reasonWatch) busy() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return strings.Join(keys(w.seen), ",")
}

func keys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// replacedOrphan reports whether the operator replaced an orphan image on
// any of the named objects.
func replacedOrphan(s *scenario, names []string) bool {
	for _, n := range names {
		for _, e := range s.Events(n) {
			if e.Reason == "OrphanImageReplaced" {
				return true
			}
		}
	}
	return false
}
