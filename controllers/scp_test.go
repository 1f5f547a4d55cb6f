package controllers_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/util/yaml"
	"sigs.k8s.io/controller-runtime/pkg/client"

	imagesv1 "github.com/serverimage-operator/serverimage-operator/api/v1alpha1"
	"github.com/serverimage-operator/serverimage-operator/internal/fakecloud"
	"github.com/serverimage-operator/serverimage-operator/internal/kubetest"
)

// TestSCPQueuedIsInProgress holds the image in "queued" (the first status
// of every SCP snapshot) while the operator polls it: queued must read as
// in progress, never as a failure. (The rest of the happy path is in the
// provider scenarios.)
func TestSCPQueuedIsInProgress(t *testing.T) {
	t.Parallel()
	s := scp.start(t, fakecloud.Options{})
	srv := s.sim.AddServer(fakecloud.Server{Name: "web-1"})
	s.sim.FreezeImages(true)
	s.serverImage("web", srv.ID)

	si := s.WaitCondition("web", imagesv1.ConditionReconciling, imagesv1.ReasonImageSaving)
	if si.Status.ImageID == "" {
		t.Fatalf("no image ID recorded: %+v", si.Status)
	}
	reads := s.sim.Calls(fakecloud.OpGetImage)
	kubetest.Eventually(t, waitTimeout, "the operator reading the queued image", func() bool {
		return s.sim.Calls(fakecloud.OpGetImage) >= reads+3
	})
	img, _ := s.sim.Image(si.Status.ImageID)
	si = s.ServerImage("web")
	if img.Status != fakecloud.StatusQueued || meta.IsStatusConditionTrue(si.Status.Conditions, imagesv1.ConditionStalled) {
		t.Fatalf("while the image is %s the object is %+v", img.Status, si.Status.Conditions)
	}
	if st := si.Status.ImageStatus; st != "" && st != "queued" {
		t.Errorf("status.imageStatus %q while the cloud says queued", st)
	}

	s.sim.FreezeImages(false)
	s.onlyImage(s.WaitReady("web"))
}

func TestSCPMetadataIsRefusedBeforeCreating(t *testing.T) {
	t.Parallel()
	s := scp.start(t, fakecloud.Options{})
	srv := s.sim.AddServer(fakecloud.Server{})
	s.serverImage("meta", srv.ID, func(si *imagesv1.ServerImage) {
		si.Spec.Metadata = map[string]imagesv1.MetadataValue{"ImageType": "Gold"}
	})
	si := s.WaitCondition("meta", imagesv1.ConditionStalled, imagesv1.ReasonInvalidRequest)
	if c := readyOf(si); !strings.Contains(c.Message, "Samsung Cloud Platform images take no metadata; remove spec.metadata") {
		t.Errorf("Ready message %q", c.Message)
	}
	if n := s.sim.Calls(fakecloud.OpCreateImage); n != 0 {
		t.Errorf("createImage reached the cloud %d times", n)
	}
	if n := len(s.sim.Images()); n != 0 {
		t.Errorf("%d images created", n)
	}
}

// TestSCPSamplesAreValid sends the SCP samples to the API server as a dry
// run: the CRD schema and its CEL rules accept them, and no operator ever
// sees them (they point at the real cloud).
func TestSCPSamplesAreValid(t *testing.T) {
	t.Parallel()
	ns := newNamespace(t)
	files, err := filepath.Glob(filepath.Join("..", "config", "samples", "scp_*.yaml"))
	if err != nil || len(files) != 3 {
		t.Fatalf("samples %v, %v", files, err)
	}
	kinds := map[string]bool{}
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		obj := &unstructured.Unstructured{}
		if err := yaml.Unmarshal(raw, &obj.Object); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		obj.SetNamespace(ns)
		if err := k8s.Create(context.Background(), obj, client.DryRunAll); err != nil {
			t.Errorf("%s: %v", f, err)
		}
		kinds[obj.GetKind()] = true
		if obj.GetKind() == "ServerImage" {
			if _, has, _ := unstructured.NestedMap(obj.Object, "spec", "metadata"); has {
				t.Errorf("%s sets spec.metadata, which SCP refuses", f)
			}
		}
	}
	if !kinds["Secret"] || !kinds["Cloud"] || !kinds["ServerImage"] {
		t.Errorf("samples cover %v", kinds)
	}
}
