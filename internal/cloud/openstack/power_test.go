package openstack

import (
	"context"
	"testing"
	"time"

	"github.com/serverimage-operator/serverimage-operator/internal/cloud"
	"github.com/serverimage-operator/serverimage-operator/internal/fakecloud"
)

// The power cycle itself runs for every driver in internal/cloud/drivers.
func TestPowerCapabilities(t *testing.T) {
	c := newFake(t, fakecloud.Options{})
	p := fakeProvider(t, c, c.CloudsYAML("fake"))
	if caps := p.Capabilities().Power; caps.Capture != cloud.CaptureAtUpload || caps.StartAfter != cloud.StartAfterTaskClears || !caps.VolumeBackedStartsAtOnce {
		t.Errorf("power capabilities %+v", caps)
	}
}

// The /v2/{project_id} cloud of seed 002 answers a start refused for the
// task state with 400, which is Busy at the boundary like Nova's 409.
func TestPowerLegacyCloudBusyIs400(t *testing.T) {
	c := newFake(t, fakecloud.Options{QueuedFor: 200 * time.Millisecond, SavingFor: 500 * time.Millisecond})
	p := fakeProvider(t, c, c.CloudsYAML("fake"), func(cfg *cloud.Config) {
		cfg.ComputeURL, cfg.ComputeMicroversion, cfg.ImagePollAPI = c.LegacyComputeURL(), "2.1", "ComputeImages"
	})
	ctx := context.Background()
	srv := c.AddServer(fakecloud.Server{Status: "SHUTOFF"})
	if _, err := p.CreateImage(ctx, cloud.CreateImageRequest{ServerID: srv.ID, Name: "x"}); err != nil {
		t.Fatal(err)
	}
	err := p.StartServer(ctx, srv.ID)
	if ce := cloud.AsError(cloud.OpStartServer, err); ce.Class != cloud.ClassBusy || ce.HTTPStatus != 400 {
		t.Errorf("start during the snapshot: %v, want class Busy with HTTP 400", err)
	}
	if caps := p.Capabilities().Power; caps.Capture != cloud.CaptureAtActive {
		t.Errorf("through Nova's images proxy the capture signal is %s, want active", caps.Capture)
	}
}

// A volume-backed server reads so, and its image is active right after the
// 202, with no task to wait for: a start is accepted at once.
func TestPowerVolumeBacked(t *testing.T) {
	c := newFake(t, fakecloud.Options{})
	p := fakeProvider(t, c, c.CloudsYAML("fake"))
	ctx := context.Background()
	srv := c.AddServer(fakecloud.Server{Status: "SHUTOFF", VolumeBacked: true})
	s, err := p.GetServer(ctx, srv.ID)
	if err != nil || !s.VolumeBacked || s.Power != cloud.PowerStopped {
		t.Fatalf("GetServer = %+v, %v; want a stopped volume-backed server", s, err)
	}
	if rule := p.Capabilities().Power.StartRule(s); rule != cloud.StartAcceptedImmediately {
		t.Errorf("start rule %s", rule)
	}
	id, err := p.CreateImage(ctx, cloud.CreateImageRequest{ServerID: srv.ID, Name: "vol"})
	if err != nil {
		t.Fatal(err)
	}
	if err := p.StartServer(ctx, srv.ID); err != nil {
		t.Errorf("start right after the 202: %v", err)
	}
	if img, err := p.GetImage(ctx, id); err != nil || img.Phase != cloud.PhaseActive {
		t.Errorf("volume-backed image = %+v, %v; want active at once", img, err)
	}
}
