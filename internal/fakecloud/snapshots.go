package fakecloud

import "maps"

// snapshotRequest is a dialect-neutral createImage.
type snapshotRequest struct {
	ServerID string
	Name     string
	Metadata map[string]string
	UserID   string
	UserName string
	Project  string // project name, for owner_project_name
	// MaxProperties is the image service's property quota; 0 is no limit.
	MaxProperties int
}

// createSnapshot checks the server's state and creates the image in queued
// before returning, as Nova does before it answers 202.
func (st *store) createSnapshot(req snapshotRequest) (Image, error) {
	st.mu.Lock()
	defer st.mu.Unlock()
	now := st.now()
	lnow := st.clock.read(now)
	rec, ok := st.servers[req.ServerID]
	if !ok {
		return Image{}, errServerNotFound
	}
	view := st.serverView(rec, lnow)
	// Nova checks vm_state before task_state.
	if !snapshotAllowed[view.VMState] {
		return Image{}, &stateConflict{Attr: "vm_state", State: view.VMState}
	}
	if view.TaskState != "" {
		return Image{}, &stateConflict{Attr: "task_state", State: view.TaskState}
	}
	props := map[string]string{
		"instance_uuid":      rec.ID,
		"image_type":         "snapshot",
		"user_id":            req.UserID,
		"owner_user_name":    req.UserName,
		"owner_project_name": req.Project,
		"base_image_ref":     rec.imageRef,
	}
	maps.Copy(props, req.Metadata)
	if req.MaxProperties > 0 && len(props) > req.MaxProperties {
		return Image{}, errPropertyQuota
	}
	life := &snapshotLife{born: lnow, queuedFor: st.queuedFor, savingFor: st.savingFor}
	if rec.failNext > 0 {
		rec.failNext--
		life.fail = true
	}
	img := Image{
		ID:         newUUID(),
		Name:       req.Name,
		Status:     StatusQueued,
		ServerID:   rec.ID,
		Properties: props,
		CreatedAt:  now.UTC(),
		UpdatedAt:  now.UTC(),
		Owner:      st.projectID,
		MinDisk:    1,
	}
	if st.loseRace(rec.ID, img) {
		return Image{}, errLostTaskStateRace
	}
	if bdm := st.vol.snapshotServer(rec.ID, req.Name, lnow, rec.VolumeBacked); bdm != "" {
		life = volumeBackedImage(&img, bdm)
	}
	st.images[img.ID] = &imageRec{img: img, life: life}
	rec.snapshot = img.ID
	return cloneImage(img), nil
}
