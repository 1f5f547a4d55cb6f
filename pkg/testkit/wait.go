package testkit

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	eventsv1 "k8s.io/api/events/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	imagesv1 "github.com/serverimage-operator/serverimage-operator/api/v1alpha1"
)

// DefaultTimeout bounds WaitForReady when its context has no deadline.
const DefaultTimeout = time.Minute

// waitPoll is how often a wait reads the object: often enough that a test
// notices Ready within a tenth of a second, rare enough to cost nothing.
const waitPoll = 100 * time.Millisecond

// WaitForReady waits until the ServerImage is Ready and returns it. When
// ctx ends first (after DefaultTimeout if it has no deadline) the error
// says where the object stands: its conditions, its image, its Cloud's
// Ready condition and its Events.
func WaitForReady(ctx context.Context, c client.Client, key client.ObjectKey) (*imagesv1.ServerImage, error) {
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, DefaultTimeout)
		defer cancel()
	}
	start := time.Now()
	tick := time.NewTicker(waitPoll)
	defer tick.Stop()
	var si imagesv1.ServerImage
	var lastErr error
	for {
		lastErr = c.Get(ctx, key, &si)
		if lastErr == nil && meta.IsStatusConditionTrue(si.Status.Conditions, imagesv1.ConditionReady) {
			return &si, nil
		}
		select {
		case <-ctx.Done():
			return nil, notReady(c, key, &si, lastErr, time.Since(start).Round(time.Millisecond))
		case <-tick.C:
		}
	}
}

// RequireReady is WaitForReady that fails the test after timeout.
func RequireReady(t testing.TB, c client.Client, key client.ObjectKey, timeout time.Duration) *imagesv1.ServerImage {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), timeout)
	defer cancel()
	si, err := WaitForReady(ctx, c, key)
	if err != nil {
		t.Fatal(err)
	}
	return si
}

// notReady describes a ServerImage that did not become Ready. It reads
// with a fresh context: the wait's has ended.
func notReady(c client.Client, key client.ObjectKey, si *imagesv1.ServerImage, getErr error, waited time.Duration) error {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	var b strings.Builder
	fmt.Fprintf(&b, "ServerImage %s is not Ready after %s", key, waited)
	if err := c.Get(ctx, key, si); err != nil {
		fmt.Fprintf(&b, ": reading it: %v", err)
		if getErr != nil && getErr.Error() != err.Error() {
			fmt.Fprintf(&b, " (while waiting: %v)", getErr)
		}
		return fmt.Errorf("%s", b.String())
	}
	b.WriteString("\n  conditions:")
	writeConditions(&b, si.Status.Conditions)
	fmt.Fprintf(&b, "\n  image: id=%q status=%q", si.Status.ImageID, si.Status.ImageStatus)
	var cloud imagesv1.Cloud
	cloudKey := client.ObjectKey{Namespace: key.Namespace, Name: si.Spec.CloudRef.Name}
	if err := c.Get(ctx, cloudKey, &cloud); err != nil {
		fmt.Fprintf(&b, "\n  Cloud %s: %v", cloudKey, err)
	} else {
		fmt.Fprintf(&b, "\n  Cloud %s conditions:", cloudKey)
		writeConditions(&b, cloud.Status.Conditions)
	}
	b.WriteString("\n  events:")
	writeEvents(ctx, &b, c, si)
	return fmt.Errorf("%s", b.String())
}

func writeConditions(b *strings.Builder, conds []metav1.Condition) {
	if len(conds) == 0 {
		b.WriteString(" none yet")
	}
	for _, c := range conds {
		fmt.Fprintf(b, "\n    %s=%s %s: %s", c.Type, c.Status, c.Reason, c.Message)
	}
}

func writeEvents(ctx context.Context, b *strings.Builder, c client.Client, si *imagesv1.ServerImage) {
	var list eventsv1.EventList
	if err := c.List(ctx, &list, client.InNamespace(si.Namespace)); err != nil {
		fmt.Fprintf(b, " cannot list: %v", err)
		return
	}
	slices.SortStableFunc(list.Items, func(a, b eventsv1.Event) int {
		return a.CreationTimestamp.Compare(b.CreationTimestamp.Time)
	})
	n := 0
	for _, e := range list.Items {
		if e.Regarding.Kind != "ServerImage" || e.Regarding.Name != si.Name {
			continue
		}
		n++
		fmt.Fprintf(b, "\n    %s %s: %s", e.Type, e.Reason, e.Note)
	}
	if n == 0 {
		b.WriteString(" none")
	}
}
