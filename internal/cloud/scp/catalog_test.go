package scp

import (
	"context"
	"strings"
	"testing"

	"github.com/serverimage-operator/serverimage-operator/internal/cloud"
	"github.com/serverimage-operator/serverimage-operator/internal/cloud/cloudtest"
	"github.com/serverimage-operator/serverimage-operator/internal/cloud/drivertest"
	"github.com/serverimage-operator/serverimage-operator/internal/fakecloud"
)

func TestPickVirtualServer(t *testing.T) {
	vs := func(region, u string) catalogEntry {
		return catalogEntry{Region: region, ServiceType: serviceTypeVirtualServer, ServiceName: "virtualserver", URL: u}
	}
	iam := catalogEntry{Region: "kr-west1", ServiceType: "scp-iam", URL: "https://iam.e.samsungsdscloud.com/v1"}
	tests := []struct {
		name    string
		entries []catalogEntry
		region  string
		want    string
		wantErr string
	}{
		{name: "the region's entry among others", region: "kr-west1",
			entries: []catalogEntry{iam, vs("kr-east1", "https://virtualserver.kr-east1.e.samsungsdscloud.com"), vs("kr-west1", "https://virtualserver.kr-west1.e.samsungsdscloud.com")},
			want:    "https://virtualserver.kr-west1.e.samsungsdscloud.com"},
		{name: "region compared without case, URL loses a trailing /v1/", region: "kr-west1",
			entries: []catalogEntry{vs("KR-WEST1", "https://vs.example/v1/")}, want: "https://vs.example"},
		{name: "several in the region: the lowest URL, as the SDK", region: "kr-west1",
			entries: []catalogEntry{vs("kr-west1", "https://b.example"), vs("kr-west1", "https://a.example")}, want: "https://a.example"},
		{name: "no region, one entry", entries: []catalogEntry{iam, vs("kr-west1", "https://vs.example")}, want: "https://vs.example"},
		{name: "no region, several regions", wantErr: `regions "kr-east1", "kr-west1": set spec.region`,
			entries: []catalogEntry{vs("kr-west1", "https://a.example"), vs("kr-east1", "https://b.example")}},
		{name: "the only entry is another region's", region: "kr-south1", wantErr: `no scp-virtualserver entry for region "kr-south1" (regions offered: "kr-west1")`,
			entries: []catalogEntry{vs("kr-west1", "https://a.example")}},
		{name: "no virtual server at all", region: "kr-west1", entries: []catalogEntry{iam}, wantErr: "no scp-virtualserver entry among 1 endpoints"},
		{name: "entry URL unusable", region: "kr-west1", entries: []catalogEntry{vs("kr-west1", "virtualserver.example")}, wantErr: "not an http(s) URL"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := pickVirtualServer(tc.entries, tc.region)
			if cloudtest.ExpectError(t, err, tc.wantErr) {
				return
			}
			if got != tc.want {
				t.Fatalf("got %q, want %q", got, tc.want)
			}
		})
	}
}

// catalogConfig is a Cloud that names the IAM URL instead of the virtual
// server endpoint.
func catalogConfig(sim *fakecloud.Cloud, region string) func(*cloud.Config) {
	return func(c *cloud.Config) {
		c.ComputeURL, c.IdentityURL, c.Region = "", sim.SCPAuthURL(), region
	}
}

// TestEndpointFromTheCatalog runs calls through an endpoint read from the
// simulator's catalog, which also lists the service in another region and
// other services: a wrong pick fails the calls. The catalog is read once.
func TestEndpointFromTheCatalog(t *testing.T) {
	ctx := context.Background()
	sim := drivertest.Sim(t, fakecloud.Options{})
	srv := sim.AddServer(fakecloud.Server{Name: "web-1"})
	p := newSimProvider(t, sim, catalogConfig(sim, sim.SCPRegion()), func(c *cloud.Config) {
		c.Credentials[keyAccountID] = []byte("acct-42")
	})
	if err := p.Authenticate(ctx); err != nil {
		t.Fatalf("authenticate: %v", err)
	}
	id, err := p.CreateImage(ctx, cloud.CreateImageRequest{ServerID: srv.ID, Name: "web golden", IdempotencyKey: testUID})
	if err != nil {
		t.Fatalf("create: %v", err)
	}
	if img, err := p.GetImage(ctx, id); err != nil || img.ID != id {
		t.Fatalf("get: %+v %v", img, err)
	}
	if n := sim.Calls(fakecloud.OpOther); n != 1 {
		t.Errorf("the catalog was read %d times, want once", n)
	}
}

func TestCatalogFailures(t *testing.T) {
	ctx := context.Background()
	sim := drivertest.Sim(t, fakecloud.Options{})

	p := newSimProvider(t, sim, catalogConfig(sim, "kr-south1"))
	err := p.Authenticate(ctx)
	if cloud.ClassOf(err) != cloud.ClassInvalid || !strings.Contains(err.Error(), `region "kr-south1"`) {
		t.Errorf("region missing from the catalog: %v (class %s)", err, cloud.ClassOf(err))
	}

	bad := newSimProvider(t, sim, catalogConfig(sim, sim.SCPRegion()), func(c *cloud.Config) {
		c.Credentials[keySecretKey] = []byte("wrong-secret-key-value")
	})
	if err := bad.Authenticate(ctx); cloud.ClassOf(err) != cloud.ClassUnauthorized || !strings.Contains(err.Error(), "endpoint catalog") {
		t.Errorf("catalog read with a wrong key: %v (class %s)", err, cloud.ClassOf(err))
	}

	// An outage of the catalog is not remembered: the next call reads it
	// again and goes on.
	p = newSimProvider(t, sim, catalogConfig(sim, sim.SCPRegion()))
	sim.InjectFault(fakecloud.Fault{Op: fakecloud.OpOther, Status: 503})
	if err := p.Authenticate(ctx); cloud.ClassOf(err) != cloud.ClassTransient {
		t.Errorf("catalog outage: %v (class %s)", err, cloud.ClassOf(err))
	}
	if err := p.Authenticate(ctx); err != nil {
		t.Errorf("after the outage: %v", err)
	}
}
