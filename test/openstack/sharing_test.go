//go:build openstack

package openstack

import (
	"context"
	"net/url"
	"slices"
	"testing"

	"github.com/gophercloud/gophercloud/v2"
	tokens3 "github.com/gophercloud/gophercloud/v2/openstack/identity/v3/tokens"
	"k8s.io/utils/ptr"

	imagesv1 "github.com/serverimage-operator/serverimage-operator/api/v1alpha1"
)

// consumerEntry is the clouds.yaml entry of a second project (a member,
// not the owner, of the images the suite makes), which hack/openstack
// creates for the sharing scenario.
const consumerEntry = "serverimage-e2e-consumer"

// glanceProps is what Glance says of an image's properties.
type glanceProps struct {
	Tags       []string `json:"tags"`
	Visibility string   `json:"visibility"`
	Protected  bool     `json:"protected"`
}

func (c *openStack) imageProps(t *testing.T, id string) glanceProps {
	t.Helper()
	var p glanceProps
	if _, err := c.image.Get(context.Background(), c.image.ServiceURL("images", id), &p, nil); err != nil {
		t.Fatalf("reading image %s: %v", id, err)
	}
	return p
}

// projectID is the project the client's token is scoped to.
func (c *openStack) projectID(t *testing.T) string {
	t.Helper()
	res, ok := c.provider.GetAuthResult().(tokens3.CreateResult)
	if !ok {
		t.Fatal("no Keystone v3 token")
	}
	p, err := res.ExtractProject()
	if err != nil || p == nil {
		t.Fatalf("the token names no project: %v", err)
	}
	return p.ID
}

// TestImageSharing: tags, visibility shared and protected land in Glance;
// the image is shared with a second project, whose own Cloud accepts it;
// that project then lists the image and boots a server from it; and
// deletionPolicy Delete on the protected image removes the member,
// unprotects and deletes it (docs/architecture.md).
func TestImageSharing(t *testing.T) {
	t.Parallel()
	consumer, err := connect(consumerEntry)
	if err != nil {
		t.Fatalf("the consumer project (clouds.yaml entry %s): %v", consumerEntry, err)
	}
	consumerProject := consumer.projectID(t)
	s := newScenario(t)
	s.createCloud("cloud", passwordEntry)
	s.createCloud("consumer", consumerEntry)
	s.WaitCloudReady("consumer")
	serverID := cloud.bootServer(t)
	s.CreateServerImage("golden", "cloud", serverID, func(si *imagesv1.ServerImage) {
		si.Spec.DeletionPolicy = imagesv1.DeletionPolicyDelete
		si.Spec.Tags = []imagesv1.ImageTag{"golden", "nightly"}
		si.Spec.Protected = ptr.To(true)
		si.Spec.Sharing = []imagesv1.ImageConsumer{{Project: consumerProject, CloudRef: &imagesv1.ConsumerCloudReference{Name: "consumer"}}}
	})
	si := s.WaitServerImage("golden", "shared and accepted", func(si *imagesv1.ServerImage) bool {
		st := si.Status.Properties
		return st != nil && st.ObservedGeneration == si.Generation && len(st.Members) == 1 && st.Members[0].Status == imagesv1.MemberAccepted
	})
	id := si.Status.ImageID
	t.Cleanup(func() {
		// A failed run must not leave a protected image behind.
		_, _ = cloud.image.Patch(context.Background(), cloud.image.ServiceURL("images", id),
			[]map[string]any{{"op": "replace", "path": "/protected", "value": false}},
			nil, &gophercloud.RequestOpts{OkCodes: []int{200, 404}, MoreHeaders: map[string]string{"Content-Type": "application/openstack-images-v2.1-json-patch"}})
	})

	p := cloud.imageProps(t, id)
	slices.Sort(p.Tags)
	if !slices.Equal(p.Tags, []string{"golden", "nightly"}) || p.Visibility != "shared" || !p.Protected {
		t.Fatalf("Glance has %+v for image %s", p, id)
	}
	listed, err := consumer.listImages(context.Background(), url.Values{"id": {"in:" + id}})
	if err != nil || len(listed) != 1 {
		t.Fatalf("the consumer project lists %v (%v); want image %s in its list once accepted", listed, err, id)
	}
	booted := consumer.bootServerFrom(t, id)
	t.Logf("the consumer project booted server %s from image %s", booted, id)

	s.Delete(si)
	s.WaitServerImageGone("golden")
	if img, found := cloud.getImage(t, id); found && img.Status != "deleted" {
		t.Errorf("the protected image %s is still in Glance (%s) after deletionPolicy Delete", id, img.Status)
	}
}
