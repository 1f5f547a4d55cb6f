package fakecloud

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

// newTestCloud starts a cloud that is closed with the test.
func newTestCloud(t *testing.T, o Options) *Cloud {
	t.Helper()
	c := New(o)
	t.Cleanup(c.Close)
	return c
}

// newLoggedInCloud is a simulator and a Keystone token for it, where most
// API tests start.
func newLoggedInCloud(t *testing.T, o Options) (*Cloud, string) {
	t.Helper()
	c := newTestCloud(t, o)
	return c, login(t, c)
}

// resp is a decoded HTTP response.
type resp struct {
	status int
	header http.Header
	raw    []byte
	body   map[string]any
}

// str digs a string out of the JSON body along keys.
func (r resp) str(keys ...string) string {
	v, _ := dig(r.body, keys...).(string)
	return v
}

func dig(v any, keys ...string) any {
	for _, k := range keys {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[k]
	}
	return v
}

var testClient = &http.Client{Timeout: 10 * time.Second}

// do sends a request with an optional token, headers ("Key: value") and
// JSON body, and decodes the answer.
func do(t *testing.T, method, url, tok string, body any, headers ...string) resp {
	t.Helper()
	r, err := doErr(method, url, tok, body, headers...)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	return r
}

func doErr(method, url, tok string, body any, headers ...string) (resp, error) {
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	default:
		j, _ := json.Marshal(b)
		rd = bytes.NewReader(j)
	}
	req, err := http.NewRequest(method, url, rd)
	if err != nil {
		return resp{}, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	if tok != "" {
		req.Header.Set("X-Auth-Token", tok)
	}
	for _, h := range headers {
		k, v, _ := strings.Cut(h, ":")
		req.Header.Set(strings.TrimSpace(k), strings.TrimSpace(v))
	}
	return roundTrip(req)
}

// roundTrip sends req and reads the answer, its JSON body decoded when
// there is one.
func roundTrip(req *http.Request) (resp, error) {
	res, err := testClient.Do(req)
	if err != nil {
		return resp{}, err
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	if err != nil {
		return resp{}, err
	}
	out := resp{status: res.StatusCode, header: res.Header, raw: raw}
	if len(raw) > 0 {
		_ = json.Unmarshal(raw, &out.body)
	}
	return out, nil
}

func passwordAuth(user, pass string) map[string]any {
	return map[string]any{"auth": map[string]any{
		"identity": map[string]any{
			"methods": []string{"password"},
			"password": map[string]any{"user": map[string]any{
				"name": user, "domain": map[string]any{"name": "Default"}, "password": pass,
			}},
		},
		"scope": map[string]any{"project": map[string]any{"name": "demo", "domain": map[string]any{"id": "default"}}},
	}}
}

// login returns a valid token for the default user.
func login(t *testing.T, c *Cloud) string {
	t.Helper()
	r := do(t, http.MethodPost, c.IdentityURL()+"/auth/tokens", "", passwordAuth("demo", "secret"))
	if r.status != http.StatusCreated {
		t.Fatalf("auth: %d %s", r.status, r.raw)
	}
	return r.header.Get("X-Subject-Token")
}

// createImage calls createImage at microversion mv ("" for none) and
// returns the response.
func createImage(t *testing.T, c *Cloud, tok, serverID, name, mv string, meta map[string]string) resp {
	t.Helper()
	entity := map[string]any{"name": name}
	if meta != nil {
		entity["metadata"] = meta
	}
	var hdr []string
	if mv != "" {
		hdr = append(hdr, "OpenStack-API-Version: compute "+mv)
	}
	return do(t, http.MethodPost, c.ComputeURL()+"/servers/"+serverID+"/action", tok,
		map[string]any{"createImage": entity}, hdr...)
}

// imageIDOf extracts the image ID from a 202 createImage answer.
func imageIDOf(t *testing.T, r resp) string {
	t.Helper()
	if r.status != http.StatusAccepted {
		t.Fatalf("createImage: %d %s", r.status, r.raw)
	}
	if id := r.str("image_id"); id != "" {
		return id
	}
	loc := r.header.Get("Location")
	return loc[strings.LastIndex(loc, "/")+1:]
}

// waitFor polls cond until it holds or the deadline passes.
func waitFor(t *testing.T, d time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
