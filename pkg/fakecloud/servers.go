package fakecloud

import (
	"maps"
	"time"

	sim "github.com/serverimage-operator/serverimage-operator/internal/fakecloud"
)

// Server is a server of the simulated account.
type Server struct {
	// ID is the server's UUID, what ServerImage.spec.serverID takes.
	ID string
	// Name is the server's name.
	Name string
	// Status is the compute API's status: ACTIVE, SHUTOFF, PAUSED, ERROR...
	Status string
}

// AddServer adds a running server with the given name and returns it with
// its generated ID.
func (c *Cloud) AddServer(name string) Server {
	return serverOf(c.sim.AddServer(sim.Server{Name: name}))
}

// Server returns the server with the given ID.
func (c *Cloud) Server(id string) (Server, bool) {
	s, ok := c.sim.GetServer(id)
	return serverOf(s), ok
}

// SetServerStatus changes a server's status (ACTIVE, SHUTOFF, ERROR...).
// A server in ERROR cannot be imaged.
func (c *Cloud) SetServerStatus(id, status string) {
	c.sim.SetServer(sim.Server{ID: id, Status: status})
}

// DeleteServer removes a server; its images still building are lost.
func (c *Cloud) DeleteServer(id string) { c.sim.DeleteServer(id) }

// FailNextBuild makes the next image of the server fail after the cloud
// accepted the request: it is created, then disappears as the cloud gives
// up on it, as Nova does when a snapshot fails on the compute host.
func (c *Cloud) FailNextBuild(serverID string) { c.sim.FailNextSnapshot(serverID) }

func serverOf(s sim.Server) Server { return Server{ID: s.ID, Name: s.Name, Status: s.Status} }

// ImageStatus is where an image is in its life, in the simulator's own
// words (each dialect shows them in its own: ACTIVE, active...).
type ImageStatus string

// Image statuses.
const (
	ImageQueued ImageStatus = "queued"
	ImageSaving ImageStatus = "saving"
	ImageActive ImageStatus = "active"
	ImageKilled ImageStatus = "killed"
)

// Image is an image of the simulated account.
type Image struct {
	// ID is the cloud's image ID, what ServerImage.status.imageID shows.
	ID string
	// Name is the image's name on the cloud (Huawei and SCP names carry a
	// suffix derived from the ServerImage's UID).
	Name string
	// ServerID is the server the image was taken of ("" for others).
	ServerID string
	// Status is the image's status at the time of the call.
	Status ImageStatus
	// Properties are the image's metadata (none on SCP).
	Properties map[string]string
	// CreatedAt is when the cloud accepted the image.
	CreatedAt time.Time
}

// Images returns every image of the account, oldest first.
func (c *Cloud) Images() []Image {
	all := c.sim.Images()
	out := make([]Image, len(all))
	for i, img := range all {
		out[i] = imageOf(img)
	}
	return out
}

// Image returns one image as it is now.
func (c *Cloud) Image(id string) (Image, bool) {
	img, ok := c.sim.Image(id)
	return imageOf(img), ok
}

// SetImageStatus pins an image's status, ending its build: ImageKilled
// fails it.
func (c *Cloud) SetImageStatus(id string, status ImageStatus) {
	c.sim.SetImageStatus(id, string(status))
}

// RemoveImage deletes an image behind the operator's back.
func (c *Cloud) RemoveImage(id string) { c.sim.RemoveImage(id) }

func imageOf(img sim.Image) Image {
	return Image{
		ID: img.ID, Name: img.Name, ServerID: img.ServerID, Status: ImageStatus(img.Status),
		Properties: maps.Clone(img.Properties), CreatedAt: img.CreatedAt,
	}
}
