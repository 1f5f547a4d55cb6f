package controllers_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"sigs.k8s.io/controller-runtime/pkg/client"

	imagesv1 "github.com/serverimage-operator/serverimage-operator/api/v1alpha1"
	"github.com/serverimage-operator/serverimage-operator/internal/fakecloud"
)

// The real Rackspace driver against the simulator's Rackspace dialect
// (Identity v2.0 API key + Cloud Servers v2).

func TestRackspaceCloudReadiness(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name       string
		secret     func(sim *fakecloud.Cloud) map[string]string
		mutate     func(c *imagesv1.Cloud)
		wantReason string // "" means Ready
		wantInMsg  []string
	}{
		{
			name: "password credentials",
			secret: func(sim *fakecloud.Cloud) map[string]string {
				return map[string]string{"username": sim.RackspaceUsername(), "password": sim.RackspacePassword()}
			},
		},
		{
			name:       "region without Cloud Servers",
			secret:     rackspaceSecret,
			mutate:     func(c *imagesv1.Cloud) { c.Spec.Region = "SYD" },
			wantReason: imagesv1.ReasonInvalidConfiguration,
			wantInMsg:  []string{"region SYD", "available: DFW, ORD"},
		},
		{
			name: "no API key in the Secret",
			secret: func(sim *fakecloud.Cloud) map[string]string {
				return map[string]string{"username": sim.RackspaceUsername()}
			},
			wantReason: imagesv1.ReasonInvalidConfiguration,
			wantInMsg:  []string{`"apiKey"`},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := rackspace.startWithout(t, fakecloud.Options{})
			mutate := []func(*imagesv1.Cloud){rackspaceCloud(s.sim)}
			if tc.mutate != nil {
				mutate = append(mutate, tc.mutate)
			}
			s.CreateCloud(s.cloud, tc.secret(s.sim), mutate...)
			if tc.wantReason == "" {
				s.WaitCloudReady(s.cloud)
				return
			}
			cond := s.WaitCloudNotReady(s.cloud, tc.wantReason)
			for _, want := range tc.wantInMsg {
				if !strings.Contains(cond.Message, want) {
					t.Errorf("message %q does not contain %q", cond.Message, want)
				}
			}
		})
	}
}

// TestRackspaceRegionPicksTheImageURL: the Cloud's region, not the user's
// default one, is where the image is made.
func TestRackspaceRegionPicksTheImageURL(t *testing.T) {
	t.Parallel()
	s := rackspace.start(t, fakecloud.Options{}, func(c *imagesv1.Cloud) { c.Spec.Region = "ORD" })
	srv := s.sim.AddServer(fakecloud.Server{})
	s.serverImage("img", srv.ID)
	si := s.WaitReady("img")
	if want := s.sim.RackspaceComputeURL("ORD") + "/images/" + si.Status.ImageID; si.Status.ImageURL != want {
		t.Errorf("imageURL %q, want %q (the Cloud's region ORD)", si.Status.ImageURL, want)
	}
}

func TestRackspaceTooMuchMetadataStallsWithoutCreating(t *testing.T) {
	t.Parallel()
	s := rackspace.start(t, fakecloud.Options{})
	srv := s.sim.AddServer(fakecloud.Server{})
	meta := map[string]imagesv1.MetadataValue{}
	for i := range 41 {
		meta[fmt.Sprintf("key%02d", i)] = "v"
	}
	s.serverImage("heavy", srv.ID, func(si *imagesv1.ServerImage) { si.Spec.Metadata = meta })
	si := s.WaitCondition("heavy", imagesv1.ConditionStalled, imagesv1.ReasonInvalidRequest)
	c := readyOf(si)
	if c == nil || c.Status != metav1.ConditionFalse || !contains(c.Message, "at most 40 per image") || !contains(c.Message, "remove at least 2 entries") {
		t.Errorf("Ready condition does not explain the limit: %+v", c)
	}
	if n := s.sim.Calls(fakecloud.OpCreateImage); n != 0 {
		t.Errorf("createImage reached the cloud %d times, want 0", n)
	}
	if n := len(s.sim.Images()); n != 0 {
		t.Errorf("simulator has %d images, want 0", n)
	}
}

// The samples must pass the CRDs' schemas and CEL rules as written.
func TestRackspaceSamplesAreAccepted(t *testing.T) {
	t.Parallel()
	ns := newNamespace(t)
	files, err := filepath.Glob(filepath.Join("..", "config", "samples", "rackspace_*.yaml"))
	if err != nil || len(files) != 3 {
		t.Fatalf("want the Secret, Cloud and ServerImage samples, found %v (%v)", files, err)
	}
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		obj := &unstructured.Unstructured{}
		if err := utilyaml.NewYAMLOrJSONDecoder(strings.NewReader(string(raw)), 4096).Decode(&obj.Object); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		obj.SetNamespace(ns)
		if err := k8s.Create(context.Background(), obj, client.DryRunAll, client.FieldValidation("Strict")); err != nil {
			t.Errorf("%s is rejected: %v", f, err)
		}
	}
}
