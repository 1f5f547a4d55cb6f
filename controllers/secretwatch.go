package controllers

import (
	"context"
	"fmt"
	"sync"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/metadata"
	"k8s.io/client-go/metadata/metadatainformer"
	toolscache "k8s.io/client-go/tools/cache"
	"sigs.k8s.io/controller-runtime/pkg/event"
	"sigs.k8s.io/controller-runtime/pkg/log"

	imagesv1 "github.com/serverimage-operator/serverimage-operator/api/v1alpha1"
)

// secretSyncTimeout bounds the wait for a new Secret watch's first list.
const secretSyncTimeout = 30 * time.Second

var secretsResource = corev1.SchemeGroupVersion.WithResource("secrets")

// secretWatches keeps one metadata-only watch per Secret that a Cloud
// references, and none on any other Secret.
//
// controller-runtime's cache watches a kind across the whole cluster (or a
// namespace): even metadata-only, that means every Secret's name, labels
// and version in memory and a stream of every change to them, for the sake
// of the handful of credentials Secrets the Clouds name. A watch per
// referenced Secret (a field selector on its name) costs one connection per
// Cloud's Secret and nothing per other Secret; Clouds are few.
type secretWatches struct {
	client metadata.Interface
	// events wakes the Clouds that use a Secret when it changes.
	events chan event.GenericEvent
	ctx    context.Context

	// clusterEvents wakes the ClusterClouds.
	clusterEvents chan event.GenericEvent

	mu      sync.Mutex
	watches map[types.NamespacedName]*secretWatch
}

type secretWatch struct {
	informer toolscache.SharedIndexInformer
	stop     context.CancelFunc
	// users are the Clouds that reference the Secret, by UID.
	users map[types.UID]types.NamespacedName
}

// newSecretWatches makes the watcher; its watches run until ctx (the
// manager's) ends.
func newSecretWatches(ctx context.Context, client metadata.Interface) *secretWatches {
	return &secretWatches{
		client:  client,
		ctx:     ctx,
		events:  make(chan event.GenericEvent, 64),
		watches: map[types.NamespacedName]*secretWatch{},

		clusterEvents: make(chan event.GenericEvent, 64),
	}
}

// resourceVersion returns the version of the Secret c references, and
// makes sure it is watched for c. A Secret that does not exist is a
// NotFound error.
func (s *secretWatches) resourceVersion(ctx context.Context, c *imagesv1.Cloud) (string, error) {
	key := types.NamespacedName{Namespace: c.Namespace, Name: c.Spec.CredentialsSecretRef.Name}
	inf := s.use(c, key)
	if !inf.HasSynced() {
		wait, cancel := context.WithTimeout(ctx, secretSyncTimeout)
		defer cancel()
		if !toolscache.WaitForCacheSync(wait.Done(), inf.HasSynced) {
			return "", fmt.Errorf("watching credentials Secret %s: no first list within %s", key, secretSyncTimeout)
		}
	}
	obj, ok, err := inf.GetStore().GetByKey(key.String())
	if err != nil {
		return "", err
	}
	if !ok {
		return "", apierrors.NewNotFound(secretsResource.GroupResource(), key.Name)
	}
	m, ok := obj.(*metav1.PartialObjectMetadata)
	if !ok {
		return "", fmt.Errorf("watching credentials Secret %s: unexpected %T", key, obj)
	}
	return m.ResourceVersion, nil
}

// use registers c as a user of the Secret key, starting its watch when it
// is the first, and drops c from any Secret it referenced before.
func (s *secretWatches) use(c *imagesv1.Cloud, key types.NamespacedName) toolscache.SharedIndexInformer {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.releaseLocked(c.UID, key)
	w := s.watches[key]
	if w == nil {
		w = s.startLocked(key)
		s.watches[key] = w
	}
	w.users[c.UID] = userOf(c)
	return w.informer
}

// release drops a deleted Cloud from the Secrets it used.
func (s *secretWatches) release(cloudUID types.UID) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.releaseLocked(cloudUID, types.NamespacedName{})
}

// releaseLocked drops cloudUID from every Secret but keep, and stops the
// watches that no Cloud uses any more.
func (s *secretWatches) releaseLocked(cloudUID types.UID, keep types.NamespacedName) {
	for key, w := range s.watches {
		if key == keep {
			continue
		}
		delete(w.users, cloudUID)
		if len(w.users) == 0 {
			w.stop()
			delete(s.watches, key)
		}
	}
}

// watched lists the Secrets being watched (tests and debugging).
func (s *secretWatches) watched() []types.NamespacedName {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]types.NamespacedName, 0, len(s.watches))
	for key := range s.watches {
		out = append(out, key)
	}
	return out
}

func (s *secretWatches) startLocked(key types.NamespacedName) *secretWatch {
	ctx, cancel := context.WithCancel(s.ctx)
	inf := metadatainformer.NewFilteredMetadataInformer(s.client, secretsResource, key.Namespace, 0,
		toolscache.Indexers{}, func(o *metav1.ListOptions) {
			o.FieldSelector = fields.OneTermEqualSelector("metadata.name", key.Name).String()
		}).Informer()
	// Keep nothing but what identifies a version: no labels, annotations
	// or managed fields of a credentials Secret in memory.
	_ = inf.SetTransform(func(obj any) (any, error) {
		if m, ok := obj.(*metav1.PartialObjectMetadata); ok {
			slim := &metav1.PartialObjectMetadata{TypeMeta: m.TypeMeta}
			slim.Namespace, slim.Name, slim.UID, slim.ResourceVersion = m.Namespace, m.Name, m.UID, m.ResourceVersion
			return slim, nil
		}
		return obj, nil
	})
	w := &secretWatch{informer: inf, stop: cancel, users: map[types.UID]types.NamespacedName{}}
	wake := func(any) { s.wakeUsers(ctx, key) }
	_, _ = inf.AddEventHandler(toolscache.ResourceEventHandlerFuncs{
		AddFunc:    wake,
		UpdateFunc: func(_, o any) { wake(o) },
		DeleteFunc: wake,
	})
	log.FromContext(s.ctx).V(1).Info("watching credentials Secret", "secret", key.String())
	go inf.Run(ctx.Done())
	return w
}

// wakeUsers queues a reconcile of every Cloud that uses the Secret key.
func (s *secretWatches) wakeUsers(ctx context.Context, key types.NamespacedName) {
	s.mu.Lock()
	var clouds []types.NamespacedName
	if w := s.watches[key]; w != nil {
		for _, c := range w.users {
			clouds = append(clouds, c)
		}
	}
	s.mu.Unlock()
	for _, c := range clouds {
		obj, events := s.wakeEventOf(c)
		select {
		case events <- event.GenericEvent{Object: obj}:
		case <-ctx.Done():
			return
		}
	}
}
