// Command demo runs the operator's main job end to end on this machine: a
// local control plane, the built-in cloud simulator, the operator, and a
// sample Secret + Cloud + ServerImage, printing progress until the image is
// Ready.
//
//	make demo                          # keeps running until Ctrl-C
//	DEMO_EXIT_WHEN_READY=1 make demo   # exits 0 once Ready, non-zero otherwise
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	utilruntime "k8s.io/apimachinery/pkg/util/runtime"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/log/zap"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"

	imagesv1 "github.com/serverimage-operator/serverimage-operator/api/v1alpha1"
	"github.com/serverimage-operator/serverimage-operator/controllers"
	_ "github.com/serverimage-operator/serverimage-operator/internal/cloud/drivers"
	"github.com/serverimage-operator/serverimage-operator/internal/localenv"
	"github.com/serverimage-operator/serverimage-operator/pkg/fakecloud"
)

const (
	namespace = "demo"
	// readyDeadline bounds DEMO_EXIT_WHEN_READY runs.
	readyDeadline = 3 * time.Minute
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "demo:", err)
		os.Exit(1)
	}
}

func run() error {
	exitWhenReady := os.Getenv("DEMO_EXIT_WHEN_READY") == "1"
	providerName, dialect, err := chosenProvider()
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	root, err := localenv.RepoRoot()
	if err != nil {
		return err
	}
	state := filepath.Join(root, "bin", "demo")
	if err := os.MkdirAll(state, 0o755); err != nil {
		return err
	}
	logFile, err := os.Create(filepath.Join(state, "operator.log"))
	if err != nil {
		return err
	}
	defer logFile.Close()
	ctrl.SetLogger(zap.New(zap.WriteTo(logFile)))

	step("starting the local control plane (kube-apiserver + etcd)")
	env, err := localenv.Start(root, state)
	if err != nil {
		return err
	}
	defer func() { _ = env.Stop() }()

	step("starting the cloud simulator")
	sim, err := fakecloud.Start(fakecloud.Options{Dialect: dialect, BuildTime: 6 * time.Second})
	if err != nil {
		return err
	}
	defer sim.Close()
	server := sim.AddServer("web-1")
	sim.AddServer("db-1")
	fmt.Printf("    simulator %s, server web-1 = %s\n", sim.URL(), server.ID)

	scheme := runtime.NewScheme()
	utilruntime.Must(clientgoscheme.AddToScheme(scheme))
	utilruntime.Must(imagesv1.AddToScheme(scheme))

	step("starting the operator (logs: " + logFile.Name() + ")")
	mgr, err := ctrl.NewManager(env.Config, ctrl.Options{
		Scheme:                 scheme,
		Metrics:                metricsserver.Options{BindAddress: "0"},
		HealthProbeBindAddress: "0",
	})
	if err != nil {
		return err
	}
	if err := controllers.Setup(ctx, mgr, controllers.Options{}); err != nil {
		return err
	}
	mgrDone := make(chan error, 1)
	go func() { mgrDone <- mgr.Start(ctx) }()

	c, err := client.New(env.Config, client.Options{Scheme: scheme})
	if err != nil {
		return err
	}
	step(fmt.Sprintf("applying a Secret, a %s Cloud and a ServerImage in namespace %s", providerName, namespace))
	if err := applySample(ctx, c, sim, server.ID); err != nil {
		return err
	}
	fmt.Printf("\n    look around while it runs:\n")
	fmt.Printf("      export KUBECONFIG=%s\n", env.Kubeconfig)
	fmt.Printf("      kubectl get clouds,serverimages -n %s\n", namespace)
	fmt.Printf("      kubectl describe serverimage web-golden -n %s\n\n", namespace)

	if scheduleDemoWanted() {
		return runScheduleDemo(ctx, c, sim, server.ID, exitWhenReady)
	}
	si, err := follow(ctx, c, exitWhenReady)
	if err != nil {
		return err
	}
	if exitWhenReady {
		fmt.Printf("READY image %s (%s)\n", si.Status.ImageID, si.Status.ImageStatus)
		return nil
	}
	fmt.Println("\nthe image is Ready; the control plane keeps running: press Ctrl-C to stop")
	<-ctx.Done()
	return nil
}

func applySample(ctx context.Context, c client.Client, sim *fakecloud.Cloud, serverID string) error {
	metadata := map[string]imagesv1.MetadataValue{"ImageType": "Gold"}
	if sim.Dialect() == fakecloud.SCP {
		metadata = nil // SCP images take no metadata
	}
	objs := []client.Object{
		&corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: namespace}},
		&corev1.Secret{
			ObjectMeta: metav1.ObjectMeta{Namespace: namespace, Name: "cloud-credentials"},
			StringData: sim.SecretData(),
		},
		&imagesv1.Cloud{
			ObjectMeta: metav1.ObjectMeta{Namespace: namespace, Name: "mycloud"},
			Spec:       cloudSpecFor(sim, "cloud-credentials"),
		},
		&imagesv1.ServerImage{
			ObjectMeta: metav1.ObjectMeta{Namespace: namespace, Name: "web-golden"},
			Spec: imagesv1.ServerImageSpec{
				CloudRef:       imagesv1.CloudReference{Name: "mycloud"},
				ServerID:       serverID,
				ImageName:      "web-golden-demo",
				Metadata:       metadata,
				DeletionPolicy: imagesv1.DeletionPolicyDelete,
			},
		},
	}
	for _, o := range objs {
		if err := c.Create(ctx, o); err != nil {
			return fmt.Errorf("creating %T %s: %w", o, o.GetName(), err)
		}
	}
	return nil
}

// follow prints each change of the ServerImage's state until it is Ready
// (or Stalled, or the deadline passes when exiting is wanted).
func follow(ctx context.Context, c client.Client, exitWhenReady bool) (*imagesv1.ServerImage, error) {
	deadline := time.Now().Add(readyDeadline)
	last := ""
	for {
		si := &imagesv1.ServerImage{}
		if err := c.Get(ctx, client.ObjectKey{Namespace: namespace, Name: "web-golden"}, si); err != nil {
			return nil, err
		}
		ready := meta.FindStatusCondition(si.Status.Conditions, imagesv1.ConditionReady)
		line := fmt.Sprintf("    image %-38s status %-8s", orDash(si.Status.ImageID), orDash(si.Status.ImageStatus))
		if ready != nil {
			line += fmt.Sprintf(" Ready=%s %s: %s", ready.Status, ready.Reason, ready.Message)
		}
		if line != last {
			fmt.Printf("%s %s\n", time.Now().Format("15:04:05"), line)
			last = line
		}
		if ready != nil && ready.Status == metav1.ConditionTrue {
			return si, nil
		}
		if exitWhenReady {
			if meta.IsStatusConditionTrue(si.Status.Conditions, imagesv1.ConditionStalled) {
				return nil, fmt.Errorf("ServerImage stalled: %s: %s", ready.Reason, ready.Message)
			}
			if time.Now().After(deadline) {
				return nil, fmt.Errorf("not Ready after %s (last: %s)", readyDeadline, last)
			}
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(200 * time.Millisecond):
		}
	}
}

func step(s string) { fmt.Printf("%s == %s\n", time.Now().Format("15:04:05"), s) }

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
