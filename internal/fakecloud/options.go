package fakecloud

import "time"

// Fixed identities, so that logs and golden files stay stable across runs.
const (
	defaultProjectID = "8f0c5b5d2a8e4d3c9b1a7e6f5d4c3b2a"
	defaultUserID    = "3a1e9c7b5d2f4e6a8c0b1d3f5a7c9e2b"
	defaultAppCredID = "b7e2c4a6d8f0413597ace1f3b5d7e9a1"
	defaultDomainID  = "default"
	defaultDomain    = "Default"
)

// Options configures a simulated cloud. The zero value is a usable cloud:
// every field has a default.
type Options struct {
	// Region is the catalog region (default "RegionOne").
	Region string
	// Username and Password of the one user (defaults "demo" / "secret"),
	// in the "Default" domain.
	Username, Password string
	// ProjectName and ProjectID of the user's project (defaults "demo" and
	// a fixed 32-hex ID).
	ProjectName, ProjectID string
	// AppCredID and AppCredSecret of an application credential bound to the
	// project (defaults: a fixed ID and "appcred-secret"). AppCredName names
	// it for the name+user form (default "fakecloud").
	AppCredID, AppCredSecret, AppCredName string
	// MaxMicroversion is the highest compute microversion (default "2.96").
	// "2.1" models a cloud without microversions above the base.
	MaxMicroversion string
	// TokenTTL is the Keystone token lifetime (default 1h).
	TokenTTL time.Duration
	// QueuedFor and SavingFor shape a snapshot's lifecycle: queued for
	// QueuedFor, then saving for SavingFor, then active (defaults 200ms and
	// 300ms).
	QueuedFor, SavingFor time.Duration
	// PowerFor is how long a stop or a start takes (default 100ms).
	PowerFor time.Duration
	// TLS serves https with a self-signed certificate (see CACertPEM).
	TLS bool
	// Addr is the listen address (default "127.0.0.1:0", a free port).
	Addr string
}

func (o Options) withDefaults() Options {
	set := func(s *string, def string) {
		if *s == "" {
			*s = def
		}
	}
	set(&o.Region, "RegionOne")
	set(&o.Username, "demo")
	set(&o.Password, "secret")
	set(&o.ProjectName, "demo")
	set(&o.ProjectID, defaultProjectID)
	set(&o.AppCredID, defaultAppCredID)
	set(&o.AppCredSecret, "appcred-secret")
	set(&o.AppCredName, "fakecloud")
	set(&o.MaxMicroversion, defaultMaxMicroversion)
	set(&o.Addr, "127.0.0.1:0")
	if o.TokenTTL <= 0 {
		o.TokenTTL = time.Hour
	}
	if o.QueuedFor <= 0 {
		o.QueuedFor = 200 * time.Millisecond
	}
	if o.PowerFor <= 0 {
		o.PowerFor = defaultPowerFor
	}
	if o.SavingFor <= 0 {
		o.SavingFor = 300 * time.Millisecond
	}
	return o
}
