package user

import (
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/envtest"

	imagesv1 "github.com/serverimage-operator/serverimage-operator/api/v1alpha1"
	"github.com/serverimage-operator/serverimage-operator/pkg/fakecloud"
	"github.com/serverimage-operator/serverimage-operator/pkg/testkit"
)

func TestGoldenImage(t *testing.T) {
	start := time.Now()
	env := &envtest.Environment{} // kube-apiserver and etcd from KUBEBUILDER_ASSETS
	if err := testkit.AddCRDs(env); err != nil {
		t.Fatal(err)
	}
	cfg, err := env.Start()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = env.Stop() })
	op, err := testkit.StartOperator(t.Context(), cfg, testkit.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = op.Stop() })
	t.Logf("started: envtest, CRDs and the operator in %s", time.Since(start).Round(time.Millisecond))

	sim, err := fakecloud.Start(fakecloud.Options{Dialect: fakecloud.OpenStack})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(sim.Close)
	server := sim.AddServer("web-1")
	sim.FailNext(fakecloud.OpCreateImage, 1, 503) // the cloud refuses the first attempt

	c, err := client.New(cfg, client.Options{Scheme: testkit.Scheme()})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := testkit.CreateCloud(t.Context(), c, sim, "default", "sim"); err != nil {
		t.Fatal(err)
	}
	si := &imagesv1.ServerImage{
		ObjectMeta: metav1.ObjectMeta{Namespace: "default", Name: "web-1-golden"},
		Spec:       imagesv1.ServerImageSpec{CloudRef: imagesv1.CloudReference{Name: "sim"}, ServerID: server.ID},
	}
	if err := c.Create(t.Context(), si); err != nil {
		t.Fatal(err)
	}
	si = testkit.RequireReady(t, c, client.ObjectKeyFromObject(si), time.Minute)
	if img, _ := sim.Image(si.Status.ImageID); img.Status != fakecloud.ImageActive {
		t.Fatalf("image %s is %q on the cloud", si.Status.ImageID, img.Status)
	}
	t.Logf("Ready %s after start", time.Since(start).Round(time.Millisecond))
}
