package fakecloud

import (
	"fmt"
	"time"

	sim "github.com/serverimage-operator/serverimage-operator/internal/fakecloud"
)

// DefaultBuildTime is how long an image takes from createImage to active
// unless Options.BuildTime or SetBuildTime says otherwise.
const DefaultBuildTime = 500 * time.Millisecond

// Options configure a Cloud. The zero value is an OpenStack cloud whose
// images build in DefaultBuildTime.
type Options struct {
	// Dialect is the cloud API served (OpenStack when empty).
	Dialect Dialect
	// BuildTime is how long an image takes from createImage to active
	// (DefaultBuildTime when zero).
	BuildTime time.Duration
}

// Cloud is a running simulated cloud account. Its methods are safe for
// concurrent use.
type Cloud struct {
	dialect Dialect
	spec    dialectSpec
	sim     *sim.Cloud
}

// Start starts a Cloud on 127.0.0.1 and a free port. Close it when done.
func Start(opts Options) (*Cloud, error) {
	if opts.Dialect == "" {
		opts.Dialect = OpenStack
	}
	spec, ok := dialects[opts.Dialect]
	if !ok {
		return nil, fmt.Errorf("fakecloud: unknown dialect %q (want one of %v)", opts.Dialect, Dialects())
	}
	var so sim.Options
	if spec.options != nil {
		spec.options(&so)
	}
	so.QueuedFor, so.SavingFor = buildPhases(opts.BuildTime)
	s, err := sim.Start(so)
	if err != nil {
		return nil, err
	}
	return &Cloud{dialect: opts.Dialect, spec: spec, sim: s}, nil
}

// buildPhases splits a build time into the time an image stays queued and
// the time it then spends saving, two fifths and three fifths as a real
// snapshot roughly does.
func buildPhases(d time.Duration) (queued, saving time.Duration) {
	if d <= 0 {
		d = DefaultBuildTime
	}
	queued = d * 2 / 5
	return max(queued, time.Millisecond), max(d-queued, time.Millisecond)
}

// Close stops the Cloud; calls to it fail from then on.
func (c *Cloud) Close() { c.sim.Close() }

// Dialect is the cloud API this Cloud speaks.
func (c *Cloud) Dialect() Dialect { return c.dialect }

// URL is the base URL every service of the Cloud is served under.
func (c *Cloud) URL() string { return c.sim.URL() }

// SetBuildTime changes how long images requested from now on take to
// build; images already building keep their schedule.
func (c *Cloud) SetBuildTime(d time.Duration) { c.sim.SetSnapshotTimes(buildPhases(d)) }

// FreezeBuilds stops (true) or resumes (false) every build in progress, as
// when the cloud's compute service is down: images stay as they are.
func (c *Cloud) FreezeBuilds(frozen bool) { c.sim.FreezeImages(frozen) }
