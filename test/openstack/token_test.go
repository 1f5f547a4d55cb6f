//go:build openstack

package openstack

import (
	"context"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gophercloud/gophercloud/v2"

	imagesv1 "github.com/serverimage-operator/serverimage-operator/api/v1alpha1"
)

// TestTokenInvalidatedMidWait: the operator's Keystone token stops being
// valid while it waits for an image; its next call gets 401, it
// authenticates again and goes on to Ready.
//
// The token is made invalid by hack/openstack/rotate-tokens (Keystone's
// fernet keys rotated past the key it was made with), which Nova and Glance
// see at once, like an expiry the operator did not anticipate or a
// revocation. Waiting for Keystone's own expiry would not do: the operator
// renews tokens before they expire, and the lifetime would have to be
// shorter than a snapshot. The operator polls slowly (30 s) so that the
// invalidation falls between two of its calls, after Nova has finished its
// own calls with the same token (Nova uploads the snapshot with the
// caller's token; a rotation during that upload would fail Nova, not the
// operator).
//
// Not parallel: the rotation invalidates every token, the other
// scenarios' too. Go runs it before the parallel tests start.
func TestTokenInvalidatedMidWait(t *testing.T) {
	s := newScenario(t)
	s.createCloud("cloud", passwordEntry, func(c *imagesv1.Cloud) {
		c.Spec.PollInterval.Duration = 30 * time.Second
	})
	s.WaitCloudReady("cloud")
	serverID := cloud.bootServer(t)
	setSwitch(t, "upload-seconds", serverID, "4")
	s.CreateServerImage("patient", "cloud", serverID)
	si := s.WaitServerImage("patient", "image ID recorded", func(si *imagesv1.ServerImage) bool { return si.Status.ImageID != "" })
	cloud.waitImage(t, si.Status.ImageID, "active")
	cloud.waitServerIdle(t, serverID)
	if r := readyOf(s.ServerImage("patient")); r != nil && r.Status == "True" {
		t.Fatal("inconclusive: the operator saw the image active before the tokens were invalidated; raise its pollInterval")
	}

	keystoneLog := filepath.Join(stateDir, "logs", "keystone.log")
	offset := fileSize(keystoneLog)
	oldToken := cloud.provider.Token()
	out, err := exec.Command(filepath.Join(repoRoot, "hack", "openstack", "rotate-tokens")).CombinedOutput()
	if err != nil {
		t.Fatalf("rotate-tokens: %v\n%s", err, out)
	}
	// Proof that every token from before, the operator's included, is now
	// refused: ours is.
	resp, err := cloud.image.Request(context.Background(), "GET", cloud.image.ServiceURL("images")+"?limit=1",
		&gophercloud.RequestOpts{OkCodes: []int{200, 401}, MoreHeaders: map[string]string{"X-Auth-Token": oldToken}})
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("a token from before the rotation still works (HTTP %d): the scenario proves nothing", resp.StatusCode)
	}
	if r := readyOf(s.ServerImage("patient")); r != nil && r.Status == "True" {
		t.Fatal("inconclusive: the operator reached Ready before the tokens were invalidated")
	}

	ready := s.WaitReady("patient")
	if ready.Status.ImageID != si.Status.ImageID {
		t.Errorf("status.imageID changed from %s to %s", si.Status.ImageID, ready.Status.ImageID)
	}
	s.WaitCloudReady("cloud")
	// Keystone's access log (uwsgi, with the User-Agent) shows the new
	// authentication; the operator's User-Agent starts with its name.
	var reauth int
	for _, line := range strings.Split(readFrom(keystoneLog, offset), "\n") {
		if strings.Contains(line, `"POST /v3/auth/tokens" 201`) && strings.Contains(line, "serverimage-operator") {
			reauth++
		}
	}
	if reauth == 0 {
		t.Errorf("Keystone issued the operator no token after the rotation, yet it reached Ready?")
	}
	t.Logf("after the rotation the operator authenticated %d time(s) and reached Ready", reauth)
}

func fileSize(path string) int64 {
	st, err := os.Stat(path)
	if err != nil {
		return 0
	}
	return st.Size()
}

func readFrom(path string, offset int64) string {
	b, err := os.ReadFile(path)
	if err != nil || int64(len(b)) < offset {
		return ""
	}
	return string(b[offset:])
}
