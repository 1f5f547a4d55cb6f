package cloud

import (
	"context"
	"fmt"
	"net/http"
	"sort"
	"sync"
	"time"
)

// ProviderName matches Cloud.spec.provider.
type ProviderName string

const (
	OpenStack            ProviderName = "OpenStack"
	Rackspace            ProviderName = "Rackspace"
	HuaweiCloud          ProviderName = "HuaweiCloud"
	SamsungCloudPlatform ProviderName = "SamsungCloudPlatform"
)

// Config is everything a driver needs to connect, already resolved from the
// Cloud object and its Secret. Credentials stays inside the driver: it is
// never logged or copied into an error.
type Config struct {
	Provider ProviderName
	// Credentials holds the Secret's data (e.g. "clouds.yaml", "cacert",
	// "username", "apiKey", "accessKey", "secretKey").
	Credentials map[string][]byte
	// CloudName picks the clouds.yaml entry (OpenStack).
	CloudName string
	Region    string
	// Interface is the catalog interface: public (default), internal, admin.
	Interface string
	ProjectID string
	// Endpoint overrides; empty means "from the catalog / region default".
	IdentityURL string
	ComputeURL  string
	ImageURL    string
	// ComputeMicroversion pins the Nova microversion ("2.1" forces the
	// Location header path); empty means negotiate.
	ComputeMicroversion string
	// ImagePollAPI chooses where image status is read on OpenStack-family
	// clouds: "Glance" (default) or "ComputeImages" (Nova v2 images proxy).
	ImagePollAPI string
	// InsecureSkipTLSVerify disables certificate checks (explicit opt-in).
	InsecureSkipTLSVerify bool
	// Options carries provider-specific settings (e.g. SCP API version).
	Options map[string]string
	// Transport, when set, is the base round tripper (tests, metrics).
	Transport http.RoundTripper
	// Timeout for one HTTP request; zero means DefaultRequestTimeout.
	Timeout time.Duration
}

// Keys of Config.Options.
const (
	// OptionSCPAPIVersion is Samsung Cloud Platform's Scp-Api-Version.
	OptionSCPAPIVersion = "scpApiVersion"
	// OptionSCPEnvironment is the environment letter of SCP endpoint hosts.
	OptionSCPEnvironment = "scpEnv"
)

// DefaultRequestTimeout bounds one HTTP call to the cloud.
const DefaultRequestTimeout = 60 * time.Second

// Factory builds a Provider. It must not call the cloud: authentication
// happens lazily or in Authenticate.
type Factory func(ctx context.Context, cfg Config) (Provider, error)

var (
	registryMu sync.RWMutex
	registry   = map[ProviderName]Factory{}
)

// Register makes a driver available for a provider name. Drivers call it
// from init.
func Register(name ProviderName, f Factory) {
	registryMu.Lock()
	defer registryMu.Unlock()
	registry[name] = f
}

// ErrProviderNotSupported is returned by New for a provider without driver.
var ErrProviderNotSupported = fmt.Errorf("provider not supported yet")

// New builds a Provider for cfg.Provider.
func New(ctx context.Context, cfg Config) (Provider, error) {
	registryMu.RLock()
	f, ok := registry[cfg.Provider]
	registryMu.RUnlock()
	if !ok {
		return nil, fmt.Errorf("%w: %q (supported: %v)", ErrProviderNotSupported, cfg.Provider, Supported())
	}
	return f(ctx, cfg)
}

// Supported lists the registered providers.
func Supported() []ProviderName {
	registryMu.RLock()
	defer registryMu.RUnlock()
	out := make([]ProviderName, 0, len(registry))
	for n := range registry {
		out = append(out, n)
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}
