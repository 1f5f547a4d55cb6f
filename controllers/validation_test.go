package controllers_test

import (
	"context"
	"strings"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/util/retry"
	"sigs.k8s.io/controller-runtime/pkg/client"

	imagesv1 "github.com/serverimage-operator/serverimage-operator/api/v1alpha1"
	"github.com/serverimage-operator/serverimage-operator/internal/kubetest"
)

const validServerID = "2a9be312-5d4b-4bc8-b2ae-35100fa9241f"

func validServerImage(ns, name string) *imagesv1.ServerImage {
	return &imagesv1.ServerImage{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name},
		Spec: imagesv1.ServerImageSpec{
			CloudRef: imagesv1.CloudReference{Name: "nowhere"},
			ServerID: validServerID,
		},
	}
}

// TestCreateValidation checks that the API server itself rejects bad specs,
// with a message a user understands.
func TestCreateValidation(t *testing.T) {
	t.Parallel()
	ns := newNamespace(t)
	longKey := strings.Repeat("k", 256)
	many := map[string]imagesv1.MetadataValue{}
	for i := 0; i < 129; i++ {
		many[strings.Repeat("m", i%200+1)+string(rune('a'+i%26))] = "v"
	}
	cases := []struct {
		name    string
		mutate  func(*imagesv1.ServerImage)
		wantErr string // "" means accepted
	}{
		{"valid", func(*imagesv1.ServerImage) {}, ""},
		{"serverID not a UUID", func(si *imagesv1.ServerImage) { si.Spec.ServerID = "web-1" }, "serverID must be a server UUID"},
		{"neither serverID nor import", func(si *imagesv1.ServerImage) { si.Spec.ServerID = "" }, "exactly one of serverID"},
		{"both serverID and import", func(si *imagesv1.ServerImage) {
			si.Spec.Import = &imagesv1.ImageImport{ImageID: "abc"}
		}, "exactly one of serverID"},
		{"import only", func(si *imagesv1.ServerImage) {
			si.Spec.ServerID = ""
			si.Spec.Import = &imagesv1.ImageImport{ImageID: "70a599e0-31e7-49b7-b260-868f441e862b"}
		}, ""},
		{"import ID is a URL", func(si *imagesv1.ServerImage) {
			si.Spec.ServerID = ""
			si.Spec.Import = &imagesv1.ImageImport{ImageID: "http://glance/v2/images/x"}
		}, "not a URL"},
		{"imageName leading space", func(si *imagesv1.ServerImage) { si.Spec.ImageName = " web" }, "must not start or end with whitespace"},
		{"imageName trailing tab", func(si *imagesv1.ServerImage) { si.Spec.ImageName = "web\t" }, "must not start or end with whitespace"},
		{"imageName too long", func(si *imagesv1.ServerImage) { si.Spec.ImageName = strings.Repeat("a", 256) }, "255"},
		{"imageName with inner spaces", func(si *imagesv1.ServerImage) { si.Spec.ImageName = "web golden 1" }, ""},
		{"metadata key with slash", func(si *imagesv1.ServerImage) {
			si.Spec.Metadata = map[string]imagesv1.MetadataValue{"example.com/uid": "x"}
		}, "no '/'"},
		{"metadata key too long", func(si *imagesv1.ServerImage) {
			si.Spec.Metadata = map[string]imagesv1.MetadataValue{longKey: "x"}
		}, "metadata keys must be 1-255 characters"},
		{"metadata value too long", func(si *imagesv1.ServerImage) {
			si.Spec.Metadata = map[string]imagesv1.MetadataValue{"k": imagesv1.MetadataValue(strings.Repeat("v", 256))}
		}, "255"},
		{"metadata reserved key", func(si *imagesv1.ServerImage) {
			si.Spec.Metadata = map[string]imagesv1.MetadataValue{"serverimage_uid": "x"}
		}, "reserved"},
		{"metadata too many entries", func(si *imagesv1.ServerImage) { si.Spec.Metadata = many }, "128"},
		{"metadata allowed characters", func(si *imagesv1.ServerImage) {
			si.Spec.Metadata = map[string]imagesv1.MetadataValue{"a-b_c:d.e f": "v"}
		}, ""},
		{"bad deletionPolicy", func(si *imagesv1.ServerImage) { si.Spec.DeletionPolicy = "Orphan" }, "Unsupported value"},
		{"no cloudRef", func(si *imagesv1.ServerImage) { si.Spec.CloudRef.Name = "" }, "cloudRef.name"},
	}
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			si := validServerImage(ns, "v"+strings.ToLower(strings.ReplaceAll(strings.Fields(tc.name)[0], "_", ""))+string(rune('a'+i)))
			tc.mutate(si)
			err := k8s.Create(context.Background(), si)
			kubetest.WantError(t, err, tc.wantErr)
		})
	}
}

// TestUpdateValidation checks immutability and "cannot be removed once set".
func TestUpdateValidation(t *testing.T) {
	t.Parallel()
	ns := newNamespace(t)
	cases := []struct {
		name    string
		initial func(*imagesv1.ServerImage)
		change  func(*imagesv1.ServerImage)
		wantErr string
	}{
		{"change serverID", nil, func(si *imagesv1.ServerImage) { si.Spec.ServerID = "3b9be312-5d4b-4bc8-b2ae-35100fa9241f" }, "serverID is immutable"},
		{"change cloudRef", nil, func(si *imagesv1.ServerImage) { si.Spec.CloudRef.Name = "other" }, "cloudRef is immutable"},
		{"change imageName", func(si *imagesv1.ServerImage) { si.Spec.ImageName = "a" }, func(si *imagesv1.ServerImage) { si.Spec.ImageName = "b" }, "imageName is immutable"},
		{"remove imageName", func(si *imagesv1.ServerImage) { si.Spec.ImageName = "a" }, func(si *imagesv1.ServerImage) { si.Spec.ImageName = "" }, "imageName cannot be added or removed"},
		{"add imageName", nil, func(si *imagesv1.ServerImage) { si.Spec.ImageName = "late" }, "imageName cannot be added or removed"},
		{"change metadata", func(si *imagesv1.ServerImage) { si.Spec.Metadata = map[string]imagesv1.MetadataValue{"a": "1"} },
			func(si *imagesv1.ServerImage) { si.Spec.Metadata = map[string]imagesv1.MetadataValue{"a": "2"} }, "metadata is immutable"},
		{"remove metadata", func(si *imagesv1.ServerImage) { si.Spec.Metadata = map[string]imagesv1.MetadataValue{"a": "1"} },
			func(si *imagesv1.ServerImage) { si.Spec.Metadata = nil }, "metadata cannot be added or removed"},
		{"switch serverID to import", nil, func(si *imagesv1.ServerImage) {
			si.Spec.ServerID = ""
			si.Spec.Import = &imagesv1.ImageImport{ImageID: "x"}
		}, "cannot be added or removed"},
		{"change import", func(si *imagesv1.ServerImage) {
			si.Spec.ServerID = ""
			si.Spec.Import = &imagesv1.ImageImport{ImageID: "x"}
		}, func(si *imagesv1.ServerImage) { si.Spec.Import.ImageID = "y" }, "import is immutable"},
		{"change deletionPolicy is allowed", nil, func(si *imagesv1.ServerImage) { si.Spec.DeletionPolicy = imagesv1.DeletionPolicyDelete }, ""},
		{"change timeout is allowed", nil, func(si *imagesv1.ServerImage) { si.Spec.Timeout = &metav1.Duration{Duration: 7200e9} }, ""},
	}
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			si := validServerImage(ns, "u"+string(rune('a'+i)))
			if tc.initial != nil {
				tc.initial(si)
			}
			ctx := context.Background()
			if err := k8s.Create(ctx, si); err != nil {
				t.Fatalf("creating the initial object: %v", err)
			}
			// The operator adds its finalizer concurrently: apply the change
			// to the latest version, as kubectl would.
			err := retry.RetryOnConflict(retry.DefaultRetry, func() error {
				if err := k8s.Get(ctx, client.ObjectKeyFromObject(si), si); err != nil {
					return err
				}
				tc.change(si)
				return k8s.Update(ctx, si)
			})
			kubetest.WantError(t, err, tc.wantErr)
		})
	}
}

func TestCloudValidation(t *testing.T) {
	t.Parallel()
	ns := newNamespace(t)
	cases := []struct {
		name    string
		spec    imagesv1.CloudSpec
		wantErr string
	}{
		{"openstack without cloudName", imagesv1.CloudSpec{Provider: imagesv1.ProviderOpenStack, CredentialsSecretRef: imagesv1.SecretReference{Name: "s"}}, "cloudName is required"},
		{"unknown provider", imagesv1.CloudSpec{Provider: "AWS", CredentialsSecretRef: imagesv1.SecretReference{Name: "s"}}, "Unsupported value"},
		{"bad microversion", imagesv1.CloudSpec{Provider: imagesv1.ProviderOpenStack, CloudName: "x", CredentialsSecretRef: imagesv1.SecretReference{Name: "s"}, ComputeMicroversion: "latest"}, "computeMicroversion"},
		{"bad endpoint", imagesv1.CloudSpec{Provider: imagesv1.ProviderOpenStack, CloudName: "x", CredentialsSecretRef: imagesv1.SecretReference{Name: "s"}, Endpoints: &imagesv1.CloudEndpoints{Compute: "nova:8774"}}, "endpoints.compute"},
		{"valid", imagesv1.CloudSpec{Provider: imagesv1.ProviderOpenStack, CloudName: "x", CredentialsSecretRef: imagesv1.SecretReference{Name: "s"}}, ""},
	}
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := &imagesv1.Cloud{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "c" + string(rune('a'+i))}, Spec: tc.spec}
			err := k8s.Create(context.Background(), c)
			kubetest.WantError(t, err, tc.wantErr)
		})
	}
}
