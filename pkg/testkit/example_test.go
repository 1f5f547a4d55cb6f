package testkit_test

import (
	"context"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/envtest"

	imagesv1 "github.com/serverimage-operator/serverimage-operator/api/v1alpha1"
	"github.com/serverimage-operator/serverimage-operator/pkg/fakecloud"
	"github.com/serverimage-operator/serverimage-operator/pkg/testkit"
)

// The operator in a manager of its own, an image of a simulated server,
// and a wait for it. (Examples that need a control plane are compiled,
// not run: TestEveryDialect runs the same steps.)
func ExampleStartOperator() {
	ctx := context.Background()
	env := &envtest.Environment{} // binaries from KUBEBUILDER_ASSETS
	if err := testkit.AddCRDs(env); err != nil {
		panic(err)
	}
	cfg, err := env.Start()
	if err != nil {
		panic(err)
	}
	defer func() { _ = env.Stop() }()

	op, err := testkit.StartOperator(ctx, cfg, testkit.Options{})
	if err != nil {
		panic(err)
	}
	defer func() { _ = op.Stop() }()

	sim, err := fakecloud.Start(fakecloud.Options{Dialect: fakecloud.OpenStack})
	if err != nil {
		panic(err)
	}
	defer sim.Close()
	server := sim.AddServer("web-1")

	c, err := client.New(cfg, client.Options{Scheme: testkit.Scheme()})
	if err != nil {
		panic(err)
	}
	if _, err := testkit.CreateCloud(ctx, c, sim, "default", "sim"); err != nil {
		panic(err)
	}
	si := &imagesv1.ServerImage{
		ObjectMeta: metav1.ObjectMeta{Namespace: "default", Name: "web-1-golden"},
		Spec:       imagesv1.ServerImageSpec{CloudRef: imagesv1.CloudReference{Name: "sim"}, ServerID: server.ID},
	}
	if err := c.Create(ctx, si); err != nil {
		panic(err)
	}
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	if _, err := testkit.WaitForReady(ctx, c, client.ObjectKeyFromObject(si)); err != nil {
		panic(err) // the error lists the conditions and Events
	}
}

// The operator's reconcilers in the test's own manager, next to the
// controller under test.
func ExampleRegister() {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var cfg = ctrl.GetConfigOrDie() // e.g. from envtest.Environment.Start
	mgr, err := ctrl.NewManager(cfg, ctrl.Options{Scheme: testkit.Scheme()})
	if err != nil {
		panic(err)
	}
	if err := testkit.Register(ctx, mgr, testkit.Options{}); err != nil {
		panic(err)
	}
	// ... set up the controller under test with mgr, then:
	go func() { _ = mgr.Start(ctx) }()
}
