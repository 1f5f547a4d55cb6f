//go:build openstack

package openstack

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gophercloud/gophercloud/v2"
	gopenstack "github.com/gophercloud/gophercloud/v2/openstack"
	"github.com/gophercloud/gophercloud/v2/openstack/compute/v2/servers"
	"go.yaml.in/yaml/v3"
)

// openStack is the suite's own client of the cloud, independent of the
// operator's driver: what it reads is what the cloud really holds.
type openStack struct {
	provider *gophercloud.ProviderClient
	compute  *gophercloud.ServiceClient // microversion 2.45: networks "none"
	image    *gophercloud.ServiceClient // Glance v2
	flavorID string
	baseID   string
}

// glanceImage is what the assertions read of a Glance image; custom
// properties are top-level keys in Glance v2.
type glanceImage struct {
	ID             string `json:"id"`
	Name           string `json:"name"`
	Status         string `json:"status"`
	Size           *int64 `json:"size"`
	Checksum       string `json:"checksum"`
	Owner          string `json:"owner"`
	InstanceUUID   string `json:"instance_uuid"`
	ImageType      string `json:"image_type"`
	IdempotencyKey string `json:"serverimage_uid"`
	CreatedAt      string `json:"created_at"`
	UpdatedAt      string `json:"updated_at"`
	Gold           string `json:"ImageType"` // the metadata the ServerImages ask for
}

func connect(entry string) (*openStack, error) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	ao, err := passwordAuth(entry)
	if err != nil {
		return nil, err
	}
	eo := gophercloud.EndpointOpts{Region: "RegionOne"}
	pc, err := gopenstack.AuthenticatedClient(ctx, ao)
	if err != nil {
		return nil, err
	}
	c := &openStack{provider: pc}
	if c.compute, err = gopenstack.NewComputeV2(pc, eo); err != nil {
		return nil, err
	}
	c.compute.Microversion = "2.45"
	if c.image, err = gopenstack.NewImageV2(pc, eo); err != nil {
		return nil, err
	}
	var flavors struct {
		Flavors []struct{ ID, Name string } `json:"flavors"`
	}
	if _, err := c.compute.Get(ctx, c.compute.ServiceURL("flavors"), &flavors, nil); err != nil {
		return nil, fmt.Errorf("listing flavors: %w", err)
	}
	for _, f := range flavors.Flavors {
		if f.Name == flavorName {
			c.flavorID = f.ID
		}
	}
	base, err := c.listImages(ctx, url.Values{"name": {baseImageName}})
	if err != nil {
		return nil, fmt.Errorf("listing images: %w", err)
	}
	if c.flavorID == "" || len(base) != 1 {
		return nil, fmt.Errorf("flavor %s or image %s missing: hack/openstack/up creates them", flavorName, baseImageName)
	}
	c.baseID = base[0].ID
	return c, nil
}

// passwordAuth reads a password entry of the suite's clouds.yaml.
// (gophercloud's own clouds.yaml reader needs a YAML module this
// repository does not depend on.)
func passwordAuth(entry string) (gophercloud.AuthOptions, error) {
	var doc struct {
		Clouds map[string]struct {
			Auth struct {
				AuthURL           string `yaml:"auth_url"`
				Username          string `yaml:"username"`
				Password          string `yaml:"password"`
				ProjectName       string `yaml:"project_name"`
				UserDomainName    string `yaml:"user_domain_name"`
				ProjectDomainName string `yaml:"project_domain_name"`
			} `yaml:"auth"`
		} `yaml:"clouds"`
	}
	if err := yaml.Unmarshal(cloudsYAML, &doc); err != nil {
		return gophercloud.AuthOptions{}, err
	}
	c, ok := doc.Clouds[entry]
	if !ok || c.Auth.Password == "" {
		return gophercloud.AuthOptions{}, fmt.Errorf("clouds.yaml has no password entry %q", entry)
	}
	return gophercloud.AuthOptions{
		IdentityEndpoint: c.Auth.AuthURL,
		Username:         c.Auth.Username,
		Password:         c.Auth.Password,
		DomainName:       c.Auth.UserDomainName,
		Scope: &gophercloud.AuthScope{
			ProjectName: c.Auth.ProjectName,
			DomainName:  c.Auth.ProjectDomainName,
		},
		// Keystone tokens live 150 s here (hack/openstack/lib/config.sh)
		// and the token scenario invalidates them all: re-authenticate on
		// 401.
		AllowReauth: true,
	}, nil
}

var serverSeq atomic.Int32

// bootServer boots a server with no network (microversion 2.45, "none")
// and waits until it is ACTIVE with no task. It is deleted, with the
// images taken of it, when the test ends.
func (c *openStack) bootServer(t *testing.T) string {
	t.Helper()
	return c.bootServerFrom(t, c.baseID)
}

// bootServerFrom is bootServer from another image.
func (c *openStack) bootServerFrom(t *testing.T, imageID string) string {
	t.Helper()
	ctx := context.Background()
	name := fmt.Sprintf("e2e-%s-%d", dnsLabel(t.Name(), 40), serverSeq.Add(1))
	srv, err := servers.Create(ctx, c.compute, servers.CreateOpts{
		Name: name, FlavorRef: c.flavorID, ImageRef: imageID, Networks: "none",
	}, nil).Extract()
	if err != nil {
		t.Fatalf("booting %s: %v", name, err)
	}
	t.Cleanup(func() {
		imgs, _ := c.listImages(ctx, url.Values{"instance_uuid": {srv.ID}})
		for _, img := range imgs {
			_, _ = c.image.Delete(ctx, c.image.ServiceURL("images", img.ID), nil)
		}
		_ = servers.Delete(ctx, c.compute, srv.ID).ExtractErr()
	})
	deadline := time.Now().Add(3 * time.Minute)
	for {
		status, task, err := c.serverState(ctx, srv.ID)
		if err == nil && status == "ACTIVE" && task == "" {
			return srv.ID
		}
		if status == "ERROR" || time.Now().After(deadline) {
			t.Fatalf("server %s not ACTIVE: status %q task %q err %v", srv.ID, status, task, err)
		}
		time.Sleep(300 * time.Millisecond)
	}
}

func (c *openStack) serverState(ctx context.Context, id string) (status, task string, err error) {
	var body struct {
		Server struct {
			Status string  `json:"status"`
			Task   *string `json:"OS-EXT-STS:task_state"`
		} `json:"server"`
	}
	if _, err := c.compute.Get(ctx, c.compute.ServiceURL("servers", id), &body, nil); err != nil {
		return "", "", err
	}
	if body.Server.Task != nil {
		task = *body.Server.Task
	}
	return body.Server.Status, task, nil
}

func (c *openStack) listImages(ctx context.Context, q url.Values) ([]glanceImage, error) {
	var body struct {
		Images []glanceImage `json:"images"`
	}
	if _, err := c.image.Get(ctx, c.image.ServiceURL("images")+"?"+q.Encode(), &body, nil); err != nil {
		return nil, err
	}
	return body.Images, nil
}

// imagesOfServer lists the Glance images Nova made of the server (Nova
// sets instance_uuid on every snapshot).
func (c *openStack) imagesOfServer(t *testing.T, serverID string) []glanceImage {
	t.Helper()
	imgs, err := c.listImages(context.Background(), url.Values{"instance_uuid": {serverID}})
	if err != nil {
		t.Fatalf("listing the images of server %s: %v", serverID, err)
	}
	return imgs
}

// getImage reads one image; found is false on 404.
func (c *openStack) getImage(t *testing.T, id string) (img glanceImage, found bool) {
	t.Helper()
	resp, err := c.image.Get(context.Background(), c.image.ServiceURL("images", id), &img, &gophercloud.RequestOpts{OkCodes: []int{200, 404}})
	if err != nil {
		t.Fatalf("reading image %s: %v", id, err)
	}
	return img, resp.StatusCode == http.StatusOK
}

// waitImage waits until the image has the status (as Glance says).
func (c *openStack) waitImage(t *testing.T, id, status string) glanceImage {
	t.Helper()
	var img glanceImage
	cloudWait.Until(t, "image "+id+" "+status, func() bool {
		var found bool
		img, found = c.getImage(t, id)
		return found && img.Status == status
	})
	return img
}

// waitServerIdle waits until Nova has finished with the server (no
// task_state): for a snapshot, that is after its last call to Glance.
func (c *openStack) waitServerIdle(t *testing.T, id string) {
	t.Helper()
	cloudWait.Until(t, "server "+id+" idle", func() bool {
		_, task, err := c.serverState(context.Background(), id)
		return err == nil && task == ""
	})
}

// setSwitch sets one of the fake hypervisor's switches for one server
// (see hack/openstack/snapshot_driver.py): upload-seconds, fail-next.
func setSwitch(t *testing.T, name, serverID, value string) {
	t.Helper()
	path := filepath.Join(stateDir, "snapshot", name+"."+serverID)
	if err := os.WriteFile(path, []byte(value), 0o644); err != nil {
		t.Fatalf("setting the snapshot switch: %v (the suite runs as root, like hack/openstack/up)", err)
	}
	t.Cleanup(func() { _ = os.Remove(path) })
}

func switchExists(name, serverID string) bool {
	_, err := os.Stat(filepath.Join(stateDir, "snapshot", name+"."+serverID))
	return err == nil
}
