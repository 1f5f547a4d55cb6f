package fakecloud

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"testing"
	"time"
)

// scpReq is one SCP request as a test wants it signed. The zero value is
// a correctly signed request with the simulator's keys.
type scpReq struct {
	method, path string // path below base, e.g. "/v1/images?limit=1"
	base         string // default SCPURL()
	body         any
	accessKey    string // default: the simulator's
	secretKey    string // default: the simulator's
	accountID    string
	sentAccount  *string // Scp-AccountId sent, when it differs from the signed one
	clientType   string  // default Openapi
	at           time.Time
	apiVersion   string // Scp-Api-Version, "" for none
	unsigned     bool   // send no signature headers at all
	signedPath   string // sign this path instead of path (tampering)
}

// scpDo sends r to c and decodes the answer (a JSON object into body; a
// list stays in raw).
func scpDo(t *testing.T, c *Cloud, r scpReq) resp {
	t.Helper()
	out, err := scpSend(c, r)
	if err != nil {
		t.Fatalf("%s %s: %v", r.method, r.path, err)
	}
	return out
}

// scpSend is scpDo returning the transport error (a dropped response).
func scpSend(c *Cloud, r scpReq) (resp, error) {
	if r.method == "" {
		r.method = http.MethodGet
	}
	if r.accessKey == "" {
		r.accessKey = c.SCPAccessKey()
	}
	if r.secretKey == "" {
		r.secretKey = c.SCPSecretKey()
	}
	if r.clientType == "" {
		r.clientType = scpClientType
	}
	if r.at.IsZero() {
		r.at = time.Now()
	}
	if r.base == "" {
		r.base = c.SCPURL()
	}
	u := r.base + r.path
	var rd io.Reader
	if r.body != nil {
		b, _ := json.Marshal(r.body)
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(r.method, u, rd)
	if err != nil {
		return resp{}, err
	}
	req.Header.Set("Content-Type", "application/json")
	if r.apiVersion != "" {
		req.Header.Set("Scp-Api-Version", r.apiVersion)
	}
	if !r.unsigned {
		ts := strconv.FormatInt(r.at.UnixMilli(), 10)
		signed := u
		if r.signedPath != "" {
			signed = c.SCPURL() + r.signedPath
		}
		req.Header.Set("Scp-Accesskey", r.accessKey)
		req.Header.Set("Scp-Timestamp", ts)
		req.Header.Set("Scp-ClientType", r.clientType)
		account := r.accountID
		if r.sentAccount != nil {
			account = *r.sentAccount
		}
		req.Header.Set("Scp-AccountId", account)
		req.Header.Set("Scp-Signature", scpSignature(r.secretKey, r.method, signed, ts, r.accessKey, r.accountID, r.clientType))
	}
	return roundTrip(req)
}

// scpErrorCode is the code of the first entry of an {"errors":[…]} body.
func (r resp) scpErrorCode() string {
	list, _ := r.body["errors"].([]any)
	if len(list) == 0 {
		return ""
	}
	first, _ := list[0].(map[string]any)
	code, _ := first["code"].(string)
	return code
}

// scpImageIDs lists the IDs of an image list answer, in order.
func (r resp) scpImageIDs() []string {
	list, _ := r.body["images"].([]any)
	var ids []string
	for _, it := range list {
		m, _ := it.(map[string]any)
		id, _ := m["id"].(string)
		ids = append(ids, id)
	}
	return ids
}

// scpCreate creates an image of serverID and returns its ID.
func scpCreate(t *testing.T, c *Cloud, serverID, name string) string {
	t.Helper()
	r := scpDo(t, c, scpReq{method: http.MethodPost, path: "/v1/servers/" + serverID + "/images", body: map[string]string{"image_name": name}})
	if r.status != http.StatusAccepted || r.str("image_id") == "" {
		t.Fatalf("create: %d %s", r.status, r.raw)
	}
	return r.str("image_id")
}

func scpStrPtr(s string) *string { return &s }
