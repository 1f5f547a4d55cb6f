package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sort"
	"strings"
	"time"

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	imagesv1 "github.com/serverimage-operator/serverimage-operator/api/v1alpha1"
	"github.com/serverimage-operator/serverimage-operator/internal/cloud"
	"github.com/serverimage-operator/serverimage-operator/internal/fakecloud"
)

// waitAllReady waits until all n ServerImages are Ready=True, reporting
// progress now and then. On timeout it says what the others are waiting for.
func waitAllReady(ctx context.Context, c client.Client, ns string, n int, res *result) error {
	lastReport := time.Now()
	for {
		list := &imagesv1.ServerImageList{}
		if err := c.List(ctx, list, client.InNamespace(ns)); err == nil {
			ready, waiting := 0, map[string]int{}
			for i := range list.Items {
				cond := meta.FindStatusCondition(list.Items[i].Status.Conditions, imagesv1.ConditionReady)
				switch {
				case cond != nil && cond.Status == metav1.ConditionTrue:
					ready++
				case cond == nil:
					waiting["no condition yet"]++
				default:
					waiting[cond.Reason]++
				}
			}
			res.ready = ready
			if ready == n {
				return nil
			}
			if time.Since(lastReport) > 10*time.Second {
				fmt.Fprintf(os.Stderr, "soak: %d/%d Ready; waiting: %v\n", ready, n, waiting)
				lastReport = time.Now()
			}
			if ctx.Err() != nil {
				return fmt.Errorf("only %d of %d ServerImages Ready before the timeout; the others by Ready reason: %v", ready, n, waiting)
			}
		} else if ctx.Err() != nil {
			return fmt.Errorf("listing ServerImages: %w", err)
		}
		select {
		case <-ctx.Done():
		case <-time.After(250 * time.Millisecond):
		}
	}
}

// result is what the soak measured.
type result struct {
	cfg      config
	objects  int
	ready    int
	restarts int
	logs     []string

	faults    map[fakecloud.FaultKind]int
	calls     map[fakecloud.Op]int
	images    int
	adoptions int

	duplicates, orphans, missing, mismatched int
	problems                                 []string

	total, converge time.Duration
}

// finish records the simulator's figures and the times.
func (r *result) finish(sim *fakecloud.Cloud, start, applied time.Time) {
	r.faults = sim.FaultsFired()
	r.calls = sim.Ledger()
	r.converge = time.Since(applied)
	r.total = time.Since(start)
}

// check compares the objects with the simulator's images: one image per
// object by key, recorded in its status, and no image that belongs to no
// object.
func (r *result) check(objects []imagesv1.ServerImage, images []fakecloud.Image) error {
	r.images = len(images)
	byKey := map[string][]string{}
	for _, img := range images {
		key := img.Properties[cloud.IdempotencyMetadataKey]
		byKey[key] = append(byKey[key], img.ID)
	}
	owned := map[string]bool{}
	for _, si := range objects {
		uid := string(si.UID)
		owned[uid] = true
		ids := byKey[uid]
		switch {
		case len(ids) == 0:
			r.missing++
			r.problem("%s: no image carries its key %s", si.Name, uid)
		case len(ids) > 1:
			r.duplicates += len(ids) - 1
			sort.Strings(ids)
			r.problem("%s: %d images carry its key: %s", si.Name, len(ids), strings.Join(ids, ", "))
		case si.Status.ImageID != ids[0]:
			r.mismatched++
			r.problem("%s: status.imageID %q is not its image %s", si.Name, si.Status.ImageID, ids[0])
		}
	}
	for key, ids := range byKey {
		if !owned[key] {
			r.orphans += len(ids)
			r.problem("orphan image(s) %s with key %q, which belongs to no ServerImage", strings.Join(ids, ", "), key)
		}
	}
	if len(r.problems) > 0 {
		return errors.New(strings.Join(r.problems, "; "))
	}
	return nil
}

// problem records one finding; the first few are printed in full.
func (r *result) problem(format string, args ...any) {
	if len(r.problems) < 10 {
		r.problems = append(r.problems, fmt.Sprintf(format, args...))
	}
}
