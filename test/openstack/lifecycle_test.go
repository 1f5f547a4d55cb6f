//go:build openstack

package openstack

import (
	"testing"

	imagesv1 "github.com/serverimage-operator/serverimage-operator/api/v1alpha1"
)

// TestDeletionPolicy: deleting a ServerImage with deletionPolicy Delete
// deletes its Glance image before the object goes; Retain keeps it.
func TestDeletionPolicy(t *testing.T) {
	t.Parallel()
	s := newScenario(t)
	s.createCloud("cloud", passwordEntry)
	images := map[imagesv1.DeletionPolicy]string{}
	for _, policy := range []imagesv1.DeletionPolicy{imagesv1.DeletionPolicyDelete, imagesv1.DeletionPolicyRetain} {
		serverID := cloud.bootServer(t)
		name := dnsLabel(string(policy), 20)
		s.CreateServerImage(name, "cloud", serverID, func(si *imagesv1.ServerImage) { si.Spec.DeletionPolicy = policy })
		images[policy] = s.WaitReady(name).Status.ImageID
	}
	for policy := range images {
		s.Delete(&imagesv1.ServerImage{ObjectMeta: s.Meta(dnsLabel(string(policy), 20))})
	}
	for policy := range images {
		s.WaitServerImageGone(dnsLabel(string(policy), 20))
	}
	if img, found := cloud.getImage(t, images[imagesv1.DeletionPolicyDelete]); found && img.Status != "deleted" {
		t.Errorf("deletionPolicy Delete: image %s is still in Glance (%s)", img.ID, img.Status)
	}
	if img, found := cloud.getImage(t, images[imagesv1.DeletionPolicyRetain]); !found || img.Status != "active" {
		t.Errorf("deletionPolicy Retain: image %s found=%v status %q, want it kept and active", images[imagesv1.DeletionPolicyRetain], found, img.Status)
	}
}

// TestApplicationCredential: a Cloud whose clouds.yaml entry uses a Keystone
// application credential (auth_type v3applicationcredential) works as the
// password entry does.
func TestApplicationCredential(t *testing.T) {
	t.Parallel()
	s := newScenario(t)
	s.createCloud("appcred", appCredEntry)
	s.WaitCloudReady("appcred")
	serverID := cloud.bootServer(t)
	si := s.CreateServerImage("via-appcred", "appcred", serverID)
	si = s.WaitReady(si.Name)
	imgs := cloud.imagesOfServer(t, serverID)
	if len(imgs) != 1 || imgs[0].ID != si.Status.ImageID || imgs[0].Status != "active" {
		t.Fatalf("Glance's images of the server %+v; want one active image %s", imgs, si.Status.ImageID)
	}
}

// TestOperatorRestart: the operator is killed (SIGKILL) while the image is
// saving, and a new process takes over: it follows the same image to
// Ready and never asks Nova for a second one.
func TestOperatorRestart(t *testing.T) {
	t.Parallel()
	s := newScenario(t)
	rec := newRecorder(t)
	s.createCloud("cloud", passwordEntry, func(c *imagesv1.Cloud) {
		c.Spec.Endpoints = &imagesv1.CloudEndpoints{Compute: rec.URL}
	})
	serverID := cloud.bootServer(t)
	setSwitch(t, "upload-seconds", serverID, "15")
	s.CreateServerImage("survivor", "cloud", serverID)
	before := s.WaitServerImage("survivor", "image ID recorded", func(si *imagesv1.ServerImage) bool { return si.Status.ImageID != "" })

	// Kill it while Glance says "saving": the upload is under way.
	cloud.waitImage(t, before.Status.ImageID, "saving")
	s.op.kill()
	img, _ := cloud.getImage(t, before.Status.ImageID)
	if img.Status != "saving" {
		t.Fatalf("image %s is %q once the operator is killed: want it still saving (raise upload-seconds)", img.ID, img.Status)
	}
	t.Logf("operator killed while image %s was %s", img.ID, img.Status)
	s.restartOperator()
	after := s.WaitReady("survivor")

	if after.Status.ImageID != before.Status.ImageID {
		t.Errorf("status.imageID changed across the restart: %s -> %s", before.Status.ImageID, after.Status.ImageID)
	}
	if imgs := cloud.imagesOfServer(t, serverID); len(imgs) != 1 {
		t.Errorf("Glance has %d images of the server, want exactly 1: %+v", len(imgs), imgs)
	}
	accepted := 0
	for _, c := range rec.createImageCalls(serverID) {
		if c.Status == 202 {
			accepted++
		}
	}
	if accepted != 1 {
		t.Errorf("Nova accepted %d createImage calls, want 1: %+v", accepted, rec.createImageCalls(serverID))
	}
}
