package controllers

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"golang.org/x/time/rate"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"

	imagesv1 "github.com/serverimage-operator/serverimage-operator/api/v1alpha1"
	"github.com/serverimage-operator/serverimage-operator/internal/cloud"
)

// Providers turns a Cloud and its Secret into a cached cloud.Provider.
// Both reconcilers share one, so a Cloud's token and rate limiter are shared
// by every ServerImage that uses it.
//
// The operator keeps no credential in memory outside the Providers: it
// watches the resourceVersion of each Secret a Cloud references (and no
// other Secret), and reads the data from the API server when a Cloud's
// Provider is (re)built, which happens when that version changes.
type Providers struct {
	Client client.Client
	// Reader reads Secret data live (not through the cache).
	Reader client.Reader
	Cache  *cloud.Cache
	// secrets watches the referenced Secrets; without it (tools, tests of
	// the Providers alone) the version is read through Client.
	secrets *secretWatches
}

// configError is a problem with the Cloud or its Secret as written: no call
// to the cloud can fix it.
type configError struct {
	reason string
	msg    string
}

func (e *configError) Error() string { return e.msg }

// ForCloud returns the Provider of c.
func (p *Providers) ForCloud(ctx context.Context, c *imagesv1.Cloud) (cloud.Provider, error) {
	return p.forCloud(ctx, c, false)
}

// ForCleanup is ForCloud for deleting images: when the Secret is already
// gone (a namespace being deleted takes everything at once) the credentials
// cached from before still serve to clean up.
func (p *Providers) ForCleanup(ctx context.Context, c *imagesv1.Cloud) (cloud.Provider, error) {
	return p.forCloud(ctx, c, true)
}

func (p *Providers) forCloud(ctx context.Context, c *imagesv1.Cloud, cachedOK bool) (cloud.Provider, error) {
	key := types.NamespacedName{Namespace: c.Namespace, Name: c.Spec.CredentialsSecretRef.Name}
	secretVersion, err := p.secretVersion(ctx, c, key)
	if err != nil {
		if apierrors.IsNotFound(err) && cachedOK {
			if prov, ok := p.Cache.Existing(providerKey(c)); ok {
				return prov, nil
			}
		}
		if apierrors.IsNotFound(err) {
			return nil, &configError{imagesv1.ReasonSecretNotFound,
				fmt.Sprintf("credentials Secret %q not found in namespace %q", key.Name, key.Namespace)}
		}
		return nil, fmt.Errorf("reading credentials Secret %s: %w", key, err)
	}
	limiter, err := limiterFor(c.Spec.RateLimit)
	if err != nil {
		return nil, &configError{imagesv1.ReasonInvalidConfiguration, err.Error()}
	}
	version := strconv.FormatInt(c.Generation, 10) + "/" + secretVersion
	return p.Cache.Get(ctx, providerKey(c), version, func(ctx context.Context) (cloud.Provider, error) {
		var secret corev1.Secret
		if err := p.Reader.Get(ctx, key, &secret); err != nil {
			return nil, fmt.Errorf("reading credentials Secret %s: %w", key, err)
		}
		cfg := configFor(c, &secret)
		prov, err := cloud.New(ctx, cfg)
		switch {
		case errors.Is(err, cloud.ErrProviderNotSupported):
			return nil, &configError{imagesv1.ReasonProviderNotSupported,
				fmt.Sprintf("provider %s is not supported yet by this operator version (supported: %v)", c.Spec.Provider, cloud.Supported())}
		case err != nil:
			return nil, &configError{imagesv1.ReasonInvalidConfiguration, err.Error()}
		}
		return rateLimitFor(c, cloud.Instrument(cfg.Provider, prov), limiter), nil
	})
}

// secretVersion is the resourceVersion of the Secret key that c references.
func (p *Providers) secretVersion(ctx context.Context, c *imagesv1.Cloud, key types.NamespacedName) (string, error) {
	if p.secrets != nil {
		return p.secrets.resourceVersion(ctx, c)
	}
	m := &metav1.PartialObjectMetadata{}
	m.SetGroupVersionKind(corev1.SchemeGroupVersion.WithKind("Secret"))
	if err := p.Client.Get(ctx, key, m); err != nil {
		return "", err
	}
	return m.ResourceVersion, nil
}

// Forget drops the cached Provider of a deleted Cloud and stops watching
// its Secret when no other Cloud uses it.
func (p *Providers) Forget(c *imagesv1.Cloud) {
	p.Cache.Forget(providerKey(c))
	if p.secrets != nil {
		p.secrets.release(c.UID)
	}
}

func configFor(c *imagesv1.Cloud, secret *corev1.Secret) cloud.Config {
	cfg := cloud.Config{
		Provider:              cloud.ProviderName(c.Spec.Provider),
		Credentials:           secret.Data,
		CloudName:             c.Spec.CloudName,
		Region:                c.Spec.Region,
		Interface:             c.Spec.Interface,
		ProjectID:             c.Spec.ProjectID,
		ComputeMicroversion:   c.Spec.ComputeMicroversion,
		ImagePollAPI:          string(c.Spec.ImagePollAPI),
		InsecureSkipTLSVerify: c.Spec.InsecureSkipTLSVerify,
	}
	if e := c.Spec.Endpoints; e != nil {
		cfg.IdentityURL, cfg.ComputeURL, cfg.ImageURL = e.Identity, e.Compute, e.Image
	}
	return cfg
}

func limiterFor(rl *imagesv1.RateLimit) (*rate.Limiter, error) {
	if rl == nil {
		return nil, nil
	}
	rps, err := strconv.ParseFloat(rl.RequestsPerSecond, 64)
	if err != nil || rps <= 0 {
		return nil, fmt.Errorf("rateLimit.requestsPerSecond %q must be a positive number", rl.RequestsPerSecond)
	}
	burst := int(rl.Burst)
	if burst < 1 {
		burst = 1
	}
	return rate.NewLimiter(rate.Limit(rps), burst), nil
}

// pollIntervalOf is the Cloud's poll interval, or the default.
func pollIntervalOf(c *imagesv1.Cloud) time.Duration {
	if c != nil && c.Spec.PollInterval != nil && c.Spec.PollInterval.Duration > 0 {
		return c.Spec.PollInterval.Duration
	}
	return DefaultPollInterval
}
