package controllers_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/yaml"

	imagesv1 "github.com/serverimage-operator/serverimage-operator/api/v1alpha1"
	"github.com/serverimage-operator/serverimage-operator/internal/fakecloud"
)

// TestNamespaceEditorAndClusterCloud: a user with nothing but edit rights in
// their namespace (the built-in edit role and the serverimage editor role
// that aggregates into it; envtest runs no aggregation controller, so both
// are bound) snapshots through an allowed ClusterCloud, cannot read its
// Secret or touch ClusterClouds, and is stopped in a namespace that is not
// allowed. A platform admin with the ClusterCloud admin role manages
// ClusterClouds but reads no Secret.
func TestNamespaceEditorAndClusterCloud(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	for _, f := range []string{"serverimage_editor_role.yaml", "clustercloud_admin_role.yaml"} {
		applyClusterRole(t, filepath.Join("..", "config", "rbac", f))
	}
	s := newClusterCloud(t, nil)
	allowed := s.namespace(nil)
	refused := s.namespace(nil)
	s.update(allowNames(allowed.Name))
	s.waitReady()

	user := "alice-" + allowed.Name
	for _, ns := range []string{allowed.Name, refused.Name} {
		for _, role := range []string{"edit", "serverimage-editor-role"} {
			bind(t, &rbacv1.RoleBinding{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: user + "-" + role}}, role, user)
		}
	}
	alice := as(t, user)

	// A ServerImage on the ClusterCloud, created by the user.
	si := &imagesv1.ServerImage{ObjectMeta: allowed.Meta("mine"), Spec: imagesv1.ServerImageSpec{
		CloudRef: imagesv1.CloudReference{Kind: imagesv1.KindClusterCloud, Name: s.name},
		ServerID: s.sim.AddServer(fakecloud.Server{}).ID,
	}}
	if err := alice.Create(ctx, si); err != nil {
		t.Fatalf("namespace editor cannot create a ServerImage: %v", err)
	}
	t.Cleanup(func() { _ = k8s.Delete(context.Background(), si) })
	allowed.WaitReady("mine")

	// Not the credentials, not the ClusterClouds.
	forbidden(t, "read the ClusterCloud's Secret", alice.Get(ctx, client.ObjectKey{Namespace: clusterCloudNS, Name: s.name}, &corev1.Secret{}))
	forbidden(t, "read the ClusterCloud", alice.Get(ctx, client.ObjectKey{Name: s.name}, &imagesv1.ClusterCloud{}))
	mine := &imagesv1.ClusterCloud{ObjectMeta: metav1.ObjectMeta{Name: "alices-" + allowed.Name}}
	mine.Spec.Provider, mine.Spec.CloudName, mine.Spec.CredentialsSecretRef.Name = imagesv1.ProviderOpenStack, "x", "x"
	mine.Spec.AllowedNamespaces = &imagesv1.AllowedNamespaces{Names: []string{allowed.Name}}
	forbidden(t, "create a ClusterCloud", alice.Create(ctx, mine))
	// Nor may the user widen access by labelling the namespace.
	ns := &corev1.Namespace{}
	if err := k8s.Get(ctx, client.ObjectKey{Name: refused.Name}, ns); err != nil {
		t.Fatal(err)
	}
	ns.Labels = map[string]string{"anything": "x"}
	forbidden(t, "label its namespace", alice.Update(ctx, ns))

	// In a namespace that is not allowed the object is accepted but stopped.
	other := &imagesv1.ServerImage{ObjectMeta: refused.Meta("theirs"), Spec: si.Spec}
	if err := alice.Create(ctx, other); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = k8s.Delete(context.Background(), other) })
	refused.WaitCondition("theirs", imagesv1.ConditionStalled, imagesv1.ReasonCloudNotAllowed)

	// The platform admin manages ClusterClouds, and reads no Secret.
	admin := "platform-" + allowed.Name
	bind(t, &rbacv1.ClusterRoleBinding{ObjectMeta: metav1.ObjectMeta{Name: admin}}, "clustercloud-admin-role", admin)
	platform := as(t, admin)
	if err := platform.Create(ctx, mine); err != nil {
		t.Fatalf("ClusterCloud admin cannot create a ClusterCloud: %v", err)
	}
	_ = k8s.Delete(ctx, mine)
	forbidden(t, "admin reads a Secret", platform.Get(ctx, client.ObjectKey{Namespace: clusterCloudNS, Name: s.name}, &corev1.Secret{}))
}

func applyClusterRole(t *testing.T, path string) {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	role := &rbacv1.ClusterRole{}
	if err := yaml.UnmarshalStrict(raw, role); err != nil {
		t.Fatal(err)
	}
	if err := k8s.Create(context.Background(), role); err != nil && !apierrors.IsAlreadyExists(err) {
		t.Fatal(err)
	}
}

// bind binds the ClusterRole role to user with b, a RoleBinding or a
// ClusterRoleBinding.
func bind(t *testing.T, b client.Object, role, user string) {
	t.Helper()
	ref := rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: role}
	subjects := []rbacv1.Subject{{APIGroup: rbacv1.GroupName, Kind: rbacv1.UserKind, Name: user}}
	switch b := b.(type) {
	case *rbacv1.RoleBinding:
		b.RoleRef, b.Subjects = ref, subjects
	case *rbacv1.ClusterRoleBinding:
		b.RoleRef, b.Subjects = ref, subjects
	}
	if err := k8s.Create(context.Background(), b); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = k8s.Delete(context.Background(), b) })
}

// as is a client that impersonates user.
func as(t *testing.T, user string) client.Client {
	t.Helper()
	c := rest.CopyConfig(cfg)
	c.Impersonate = rest.ImpersonationConfig{UserName: user}
	cl, err := client.New(c, client.Options{Scheme: scheme})
	if err != nil {
		t.Fatal(err)
	}
	return cl
}

func forbidden(t *testing.T, what string, err error) {
	t.Helper()
	if !apierrors.IsForbidden(err) {
		t.Errorf("%s: got %v, want Forbidden", what, err)
	}
}
