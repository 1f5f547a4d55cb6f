package main

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"sync"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/controller-runtime/pkg/client"

	imagesv1 "github.com/serverimage-operator/serverimage-operator/api/v1alpha1"
)

// applyWorkers is how many objects the bench writes at once. The API
// server, not the bench, is the bound on two cores; more writers only
// queue there.
const applyWorkers = 32

// Field managers kubectl uses, so the managed fields look like a user's.
const (
	clientSideManager = "kubectl-client-side-apply"
	serverSideManager = "kubectl"
)

// manifest is the object as a user's YAML file holds it.
func manifest(ns, name, serverID string) map[string]any {
	return map[string]any{
		"apiVersion": imagesv1.GroupVersion.String(),
		"kind":       "ServerImage",
		"metadata":   map[string]any{"name": name, "namespace": ns},
		"spec": map[string]any{
			"cloudRef": map[string]any{"name": "bench"},
			"serverID": serverID,
		},
	}
}

// lastApplied is the annotation kubectl apply writes: the manifest with an
// empty annotations map, keys sorted, and a trailing newline.
func lastApplied(m map[string]any) (string, error) {
	meta := maps.Clone(m["metadata"].(map[string]any))
	meta["annotations"] = map[string]any{}
	doc := maps.Clone(m)
	doc["metadata"] = meta
	b, err := json.Marshal(doc)
	if err != nil {
		return "", err
	}
	return string(b) + "\n", nil
}

// writeServerImage writes one object the way the apply mode says.
func writeServerImage(ctx context.Context, c client.Client, apply, ns, name, serverID string) error {
	m := manifest(ns, name, serverID)
	if apply == applyServer {
		u := &unstructured.Unstructured{Object: m}
		return c.Apply(ctx, client.ApplyConfigurationFromUnstructured(u), client.FieldOwner(serverSideManager))
	}
	si := &imagesv1.ServerImage{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name},
		Spec: imagesv1.ServerImageSpec{
			CloudRef: imagesv1.CloudReference{Name: "bench"},
			ServerID: serverID,
		},
	}
	if apply == applyNone {
		return c.Create(ctx, si)
	}
	ann, err := lastApplied(m)
	if err != nil {
		return err
	}
	si.Annotations = map[string]string{corev1.LastAppliedConfigAnnotation: ann}
	return c.Create(ctx, si, client.FieldOwner(clientSideManager))
}

// createServerImages writes one ServerImage per server and stops at the
// first error, so that a broken run does not send thousands more requests.
func createServerImages(ctx context.Context, c client.Client, apply, ns string, servers []string) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	work := make(chan int)
	var (
		wg       sync.WaitGroup
		once     sync.Once
		firstErr error
	)
	for w := 0; w < applyWorkers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range work {
				name := fmt.Sprintf("img-%05d", i)
				if err := writeServerImage(ctx, c, apply, ns, name, servers[i]); err != nil {
					once.Do(func() {
						firstErr = fmt.Errorf("writing %s (-apply %s): %w", name, apply, err)
						cancel()
					})
				}
			}
		}()
	}
feed:
	for i := range servers {
		select {
		case work <- i:
		case <-ctx.Done():
			break feed
		}
	}
	close(work)
	wg.Wait()
	if firstErr == nil && ctx.Err() != nil {
		return ctx.Err()
	}
	return firstErr
}
