package fakecloud

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"unicode"
)

// Nova front, mounted at /compute. It serves the modern /v2.1 API (with or
// without a project ID in the path) and the legacy /v2/{project_id} form,
// which behaves like 2.1 and neither reads nor sends microversion headers.

// novaTime is Nova's timestamp format.
const novaTime = "2006-01-02T15:04:05Z"

// novaReq is what the Nova prologue established about a request.
type novaReq struct {
	tok     token
	minor   int    // negotiated microversion 2.<minor>
	legacy  bool   // /v2/{project_id}
	project string // project ID from the path, "" when absent
	base    string // absolute URL of the API root the client used
}

// novaCollections are the first path segments that are resources rather
// than a project ID in /v2.1/... paths.
var novaCollections = map[string]bool{
	"servers": true, "images": true, "flavors": true, "limits": true, "extensions": true,
}

func (c *Cloud) novaRoutes(w http.ResponseWriter, r *http.Request, rest string) {
	trimmed := strings.Trim(rest, "/")
	var segs []string
	if trimmed != "" {
		segs = strings.Split(trimmed, "/")
	}
	if len(segs) == 0 {
		c.serve(w, r, call{op: OpVersions, dialect: dialectNova}, func(w http.ResponseWriter, r *http.Request) {
			writeJSON(w, http.StatusOK, map[string]any{"versions": []any{c.novaVersion("v2"), c.novaVersion("v2.1")}})
		})
		return
	}
	nr := novaReq{}
	switch segs[0] {
	case "v2.1":
		segs = segs[1:]
		if len(segs) > 0 && !novaCollections[segs[0]] && !strings.HasPrefix(segs[0], "os-") {
			nr.project, segs = segs[0], segs[1:]
		}
	case "v2":
		nr.legacy = true
		segs = segs[1:]
		if len(segs) > 0 {
			nr.project, segs = segs[0], segs[1:]
		}
	default:
		c.serveNotFound(w, r, dialectNova)
		return
	}
	version := "v2.1"
	if nr.legacy {
		version = "v2"
	}
	nr.base = c.URL() + "/compute/" + version
	if nr.project != "" {
		nr.base += "/" + nr.project
	}
	if len(segs) == 0 {
		c.serve(w, r, call{op: OpVersions, dialect: dialectNova}, func(w http.ResponseWriter, r *http.Request) {
			writeJSON(w, http.StatusOK, map[string]any{"version": c.novaVersion(version)})
		})
		return
	}
	c.computeResource(w, r, c.novaFront(), nr, segs)
}

// novaFront is the Nova front's part of the compute routes.
func (c *Cloud) novaFront() computeFront {
	return computeFront{dialect: dialectNova, guard: c.novaHandler, getServer: c.novaGetServer, createImage: c.novaCreateImage,
		unknown: func(w http.ResponseWriter, action map[string]json.RawMessage, err error) {
			writeUnknownAction(w, dialectNova, action, err)
		}}
}

// novaHandler wraps a Nova handler in the steps every API request takes,
// in Nova's order: token (keystonemiddleware), project ID in the URL, then
// microversion negotiation.
func (c *Cloud) novaHandler(nr novaReq, h func(http.ResponseWriter, *http.Request, novaReq)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		tok, ok := c.authenticate(w, r, dialectNova)
		if !ok {
			return
		}
		nr.tok = tok
		if nr.project != "" && nr.project != tok.ProjectID {
			writeError(w, dialectNova, http.StatusBadRequest, fmt.Sprintf(
				"Malformed request URL: URL's project_id '%s' doesn't match Context's project_id '%s'",
				nr.project, tok.ProjectID), "")
			return
		}
		if c.negotiate(w, r, &nr, dialectNova) {
			h(w, r, nr)
		}
	}
}

// novaVersion is the version document of "v2" (legacy, no microversions)
// or "v2.1".
func (c *Cloud) novaVersion(id string) map[string]any {
	v := map[string]any{
		"id":          "v2.0",
		"status":      "SUPPORTED",
		"version":     "",
		"min_version": "",
		"updated":     "2011-01-21T11:33:21Z",
	}
	href := c.URL() + "/compute/v2/"
	if id == "v2.1" {
		v["id"], v["status"], v["updated"] = "v2.1", "CURRENT", "2013-07-23T11:33:21Z"
		v["version"], v["min_version"] = fmt.Sprintf("2.%d", c.maxMinor()), minMicroversion
		href = c.URL() + "/compute/v2.1/"
	}
	v["links"] = []any{
		map[string]any{"rel": "self", "href": href},
		map[string]any{"rel": "describedby", "type": "text/html", "href": "http://docs.openstack.org/"},
	}
	v["media-types"] = []any{map[string]any{
		"base": "application/json", "type": "application/vnd.openstack.compute+json;version=2.1",
	}}
	return v
}

func (c *Cloud) novaGetServer(w http.ResponseWriter, nr novaReq, id string) {
	s, ok := c.store.server(id)
	if !ok {
		writeError(w, dialectNova, http.StatusNotFound, fmt.Sprintf("Instance %s could not be found.", id), "")
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"server": c.novaServerBody(s, nr)})
}

// novaPowerState is the libvirt power state Nova reports per vm_state.
func novaPowerState(vmState string) int {
	switch vmState {
	case "active", "rescued", "resized":
		return 1 // running
	case "paused":
		return 3
	case "stopped", "suspended", "shelved":
		return 4 // shutdown
	}
	return 0 // no state
}

func (c *Cloud) novaServerBody(s serverInfo, nr novaReq) map[string]any {
	created := s.Created.Format(novaTime)
	hostSum := sha256.Sum256([]byte(nr.tok.ProjectID + "compute-1"))
	var task any
	if s.TaskState != "" {
		task = s.TaskState
	}
	self := nr.base + "/servers/" + s.ID
	body := map[string]any{
		"id":           s.ID,
		"name":         s.Name,
		"status":       s.Status,
		"tenant_id":    nr.tok.ProjectID,
		"user_id":      nr.tok.UserID,
		"metadata":     map[string]string{},
		"hostId":       hex.EncodeToString(hostSum[:28]),
		"created":      created,
		"updated":      created,
		"addresses":    map[string]any{},
		"accessIPv4":   "",
		"accessIPv6":   "",
		"progress":     0,
		"key_name":     nil,
		"config_drive": "",
		"image":        novaImageField(s, nr),
		"links": []any{
			map[string]any{"rel": "self", "href": self},
			map[string]any{"rel": "bookmark", "href": self},
		},
		"security_groups":                      []any{map[string]any{"name": "default"}},
		"os-extended-volumes:volumes_attached": []any{},
		"OS-DCF:diskConfig":                    "MANUAL",
		"OS-EXT-AZ:availability_zone":          "nova",
		"OS-SRV-USG:launched_at":               s.Created.Format("2006-01-02T15:04:05.000000"),
		"OS-SRV-USG:terminated_at":             nil,
		"OS-EXT-STS:task_state":                task,
		"OS-EXT-STS:vm_state":                  s.VMState,
		"OS-EXT-STS:power_state":               novaPowerState(s.VMState),
	}
	// A few fields whose shape depends on the microversion, so that clients
	// parsing them see what a real cloud of that version sends.
	if nr.minor >= 47 {
		body["flavor"] = map[string]any{"vcpus": 1, "ram": 512, "disk": 1, "ephemeral": 0, "swap": 0, "original_name": "m1.tiny"}
	} else {
		body["flavor"] = map[string]any{"id": "1", "links": []any{
			map[string]any{"rel": "bookmark", "href": nr.base + "/flavors/1"},
		}}
	}
	if nr.minor >= 9 {
		body["locked"] = false
	}
	if nr.minor >= 19 {
		body["description"] = nil
	}
	if nr.minor >= 26 {
		body["tags"] = []string{}
	}
	return body
}

// Nova's createImage validation (nova/api/validation/parameter_types.py).
var novaMetadataKey = regexp.MustCompile(`^[a-zA-Z0-9-_:. ]{1,255}$`)

const (
	novaMetadataItemsQuota = 128 // Nova's metadata_items quota, checked before 2.39
	glancePropertyQuota    = 128 // Glance's image_property_quota
)

func invalidInput(field string, value any, reason string) string {
	v, _ := json.Marshal(value)
	return fmt.Sprintf("Invalid input for field/attribute %s. Value: %s. %s", field, v, reason)
}

// validateCreateImage applies the createImage request schema; it returns
// the name and metadata, or a 400 message.
func validateCreateImage(raw json.RawMessage) (string, map[string]string, string) {
	var entity map[string]any
	if err := json.Unmarshal(raw, &entity); err != nil || entity == nil {
		return "", nil, invalidInput("createImage", json.RawMessage(raw), "'createImage' is not of type 'object'")
	}
	for k := range entity {
		if k != "name" && k != "metadata" {
			return "", nil, invalidInput("createImage", entity, fmt.Sprintf("Additional properties are not allowed ('%s' was unexpected)", k))
		}
	}
	rawName, ok := entity["name"]
	if !ok {
		return "", nil, invalidInput("createImage", entity, "'name' is a required property")
	}
	name, ok := rawName.(string)
	switch {
	case !ok:
		return "", nil, invalidInput("name", rawName, fmt.Sprintf("%v is not of type 'string'", rawName))
	case len([]rune(name)) < 1:
		return "", nil, invalidInput("name", name, "'' is too short")
	case len([]rune(name)) > 255:
		return "", nil, invalidInput("name", name, fmt.Sprintf("%q is too long", name))
	case strings.TrimSpace(name) != name || strings.IndexFunc(name, func(r rune) bool { return !unicode.IsPrint(r) && r != ' ' }) >= 0:
		return "", nil, invalidInput("name", name, "Invalid input: leading/trailing whitespace or non-printable characters are not allowed")
	}
	meta := map[string]string{}
	if rawMeta, ok := entity["metadata"]; ok {
		m, ok := rawMeta.(map[string]any)
		if !ok {
			return "", nil, invalidInput("metadata", rawMeta, fmt.Sprintf("%v is not of type 'object'", rawMeta))
		}
		for k, v := range m {
			if !novaMetadataKey.MatchString(k) {
				return "", nil, invalidInput("metadata", m, fmt.Sprintf("Additional properties are not allowed ('%s' was unexpected)", k))
			}
			s, ok := v.(string)
			if !ok {
				return "", nil, invalidInput("metadata/"+k, v, fmt.Sprintf("%v is not of type 'string'", v))
			}
			if len([]rune(s)) > 255 {
				return "", nil, invalidInput("metadata/"+k, s, fmt.Sprintf("%q is too long", s))
			}
			meta[k] = s
		}
	}
	return name, meta, ""
}

func (c *Cloud) novaCreateImage(w http.ResponseWriter, nr novaReq, serverID string, raw json.RawMessage) {
	name, meta, bad := validateCreateImage(raw)
	if bad != "" {
		writeError(w, dialectNova, http.StatusBadRequest, bad, "")
		return
	}
	// Before 2.39 Nova counts the request's metadata against its own quota,
	// ahead of looking the server up.
	if nr.minor < 39 && len(meta) > novaMetadataItemsQuota {
		writeError(w, dialectNova, http.StatusForbidden, "Image metadata limit exceeded", "")
		return
	}
	img, err := c.store.createSnapshot(snapshotRequest{
		ServerID: serverID, Name: name, Metadata: meta,
		UserID: nr.tok.UserID, UserName: nr.tok.UserName, Project: nr.tok.ProjectName,
		MaxProperties: glancePropertyQuota,
	})
	switch {
	case errors.Is(err, errPropertyQuota):
		// Glance refuses more properties than its quota; Nova does not map
		// that error inside createImage, so the client sees a 500.
		writeError(w, dialectNova, http.StatusInternalServerError,
			"Unexpected API Error. Please report this at http://bugs.launchpad.net/nova/ and attach the Nova API log if possible.\n<class 'nova.exception.ImageQuotaExceeded'>", "")
		return
	case errors.Is(err, errLostTaskStateRace):
		writeError(w, dialectNova, http.StatusInternalServerError, "Unexpected API Error. Please report this at http://bugs.launchpad.net/nova/ and attach the Nova API log if possible.\n<class 'nova.exception.UnexpectedTaskStateError'>", "")
		return
	case writeNovaCreateFailure(w, dialectNova, serverID, err):
		return
	}
	if nr.minor >= 45 {
		writeJSON(w, http.StatusAccepted, map[string]string{"image_id": img.ID})
		return
	}
	// Before 2.45 the ID travels in Location. Modern Nova builds it from
	// the Glance root and an empty project segment, hence the double slash;
	// the legacy v2 API points at its own images proxy.
	loc := c.URL() + "/image//images/" + img.ID
	if nr.legacy {
		loc = nr.base + "/images/" + img.ID
	}
	w.Header().Set("Location", loc)
	w.WriteHeader(http.StatusAccepted)
}

func lastSegment(s string) string {
	s = strings.TrimRight(s, "/")
	if i := strings.LastIndex(s, "/"); i >= 0 {
		return s[i+1:]
	}
	return s
}
