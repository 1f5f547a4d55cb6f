package fakecloud

import (
	"errors"
	"sync"
	"time"
)

// Server is a simulated server as tests see and set it.
type Server struct {
	ID, Name string
	// Status is Nova's status (ACTIVE, SHUTOFF, PAUSED, SUSPENDED, ERROR,
	// BUILD, ...). Default ACTIVE.
	Status string
	// TaskState is OS-EXT-STS:task_state; "" is idle. While a snapshot runs
	// the store reports the snapshot's task state unless one is set here.
	TaskState string
	// VMState is OS-EXT-STS:vm_state; derived from Status when empty.
	VMState string
	// VolumeBacked: booted from a volume ("image": ""); its snapshots are
	// active at once and set no task state (power.go).
	VolumeBacked bool
}

// Image is a simulated image as tests see it. Status is computed from the
// snapshot lifecycle at the moment of the call.
type Image struct {
	ID, Name, Status, ServerID string
	// Properties are the custom (non-core) Glance properties, including the
	// ones Nova adds to snapshots (instance_uuid, image_type, user_id, ...).
	Properties map[string]string
	// Size and Checksum are zero until the image is active.
	Size     int64
	Checksum string
	// CreatedAt, UpdatedAt (last status change) and ActivatedAt (zero until
	// active).
	CreatedAt, UpdatedAt, ActivatedAt time.Time

	// Core Glance fields the fronts render.
	Owner                       string
	DiskFormat, ContainerFormat string
	MinDisk, MinRAM             int
	HashAlgo, HashValue         string

	// Properties after creation and members (imageprops.go).
	ImageProps
}

// Errors the store returns to the fronts, which map them to each dialect.
var (
	errServerNotFound = errors.New("server not found")
	errImageNotFound  = errors.New("image not found")
	// errPropertyQuota: the image would carry more properties than the
	// image service allows.
	errPropertyQuota = errors.New("image property quota exceeded")
)

// stateConflict says why a server cannot be snapshotted right now.
type stateConflict struct {
	Attr  string // "vm_state" or "task_state"
	State string
}

func (e *stateConflict) Error() string { return e.Attr + " " + e.State }

// snapshotAllowed are the vm_states in which Nova accepts createImage.
var snapshotAllowed = map[string]bool{"active": true, "stopped": true, "paused": true, "suspended": true}

type serverRec struct {
	Server
	created  time.Time
	imageRef string // the image the server booted from (base_image_ref)
	// snapshot is the image of the most recent createImage; its lifecycle
	// drives the server's task_state.
	snapshot string
	failNext int
	power    *powerTransition
}

type imageRec struct {
	img  Image
	life *snapshotLife // nil: the status is fixed (img.Status)
}

// store is the dialect-neutral state of one cloud account: servers, images
// and their lifecycles. Every front reads and changes the cloud through it.
type store struct {
	mu        sync.Mutex
	clock     *lifeClock
	queuedFor time.Duration
	savingFor time.Duration
	projectID string
	servers   map[string]*serverRec
	images    map[string]*imageRec
	// pendingFail counts FailNextSnapshot calls for servers not added yet.
	pendingFail map[string]int
	// raceNext counts LoseNextSnapshotRace calls per server.
	raceNext map[string]int
	now      func() time.Time
	// vol is the block storage behind volume-backed servers (volumes.go).
	vol volumeStore
	// powerFor is how long a stop or start takes; powerLog the power
	// actions each server was sent (power.go).
	powerFor time.Duration
	powerLog map[string][]string
}

func newStore(o Options) *store {
	return &store{
		clock:       newLifeClock(time.Now()),
		queuedFor:   o.QueuedFor,
		savingFor:   o.SavingFor,
		projectID:   o.ProjectID,
		servers:     map[string]*serverRec{},
		images:      map[string]*imageRec{},
		pendingFail: map[string]int{},
		now:         time.Now,
		powerFor:    o.PowerFor,
	}
}

// freeze stops (true) or resumes (false) every snapshot lifecycle.
func (st *store) freeze(on bool) {
	st.mu.Lock()
	defer st.mu.Unlock()
	if on {
		st.clock.freeze(st.now())
	} else {
		st.clock.thaw(st.now())
	}
}
