package controllers

import (
	"context"

	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/metadata"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/event"

	imagesv1 "github.com/serverimage-operator/serverimage-operator/api/v1alpha1"
)

// SecretWatchProbe exposes the Secret watcher to the envtest tests of
// package controllers_test, which own the API server.
type SecretWatchProbe struct{ w *secretWatches }

func NewSecretWatchProbe(ctx context.Context, cfg *rest.Config) (*SecretWatchProbe, error) {
	mc, err := metadata.NewForConfig(cfg)
	if err != nil {
		return nil, err
	}
	return &SecretWatchProbe{w: newSecretWatches(ctx, mc)}, nil
}

func (p *SecretWatchProbe) Version(ctx context.Context, c *imagesv1.Cloud) (string, error) {
	return p.w.resourceVersion(ctx, c)
}

func (p *SecretWatchProbe) Release(uid types.UID)             { p.w.release(uid) }
func (p *SecretWatchProbe) Watched() []types.NamespacedName   { return p.w.watched() }
func (p *SecretWatchProbe) Events() <-chan event.GenericEvent { return p.w.events }

// AsCloud is the Cloud view a ClusterCloud runs as, for tests of the
// Providers.
func AsCloud(cc *imagesv1.ClusterCloud, credNS string) *imagesv1.Cloud { return asCloud(cc, credNS) }
