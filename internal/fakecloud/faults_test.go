package fakecloud

import (
	"net/http"
	"testing"
	"time"
)

func TestFaultResponses(t *testing.T) {
	httpDate := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC).Format(http.TimeFormat)
	tests := []struct {
		name  string
		fault Fault
		// call performs the request that meets the fault.
		call  func(t *testing.T, c *Cloud, tok, serverID, imageID string) resp
		check func(t *testing.T, r resp)
	}{
		{
			name:  "nova 503",
			fault: Fault{Op: OpCreateImage, Status: 503},
			call:  callCreate,
			check: wantNovaFault(503, "serviceUnavailable", ""),
		},
		{
			name:  "nova 429 with seconds",
			fault: Fault{Op: OpCreateImage, Status: 429, RetryAfter: "7"},
			call:  callCreate,
			check: wantNovaFault(429, "overLimit", "7"),
		},
		{
			name:  "nova 413 with HTTP date",
			fault: Fault{Op: OpCreateImage, Status: 413, RetryAfter: httpDate},
			call:  callCreate,
			check: wantNovaFault(413, "overLimit", httpDate),
		},
		{
			name:  "nova 409 custom message",
			fault: Fault{Op: OpCreateImage, Status: 409, Message: "quiesce failed"},
			call:  callCreate,
			check: func(t *testing.T, r resp) {
				if r.status != 409 || r.str("conflictingRequest", "message") != "quiesce failed" {
					t.Errorf("%d %s", r.status, r.raw)
				}
			},
		},
		{
			name:  "nova 500 on getServer",
			fault: Fault{Op: OpGetServer, Status: 500},
			call: func(t *testing.T, c *Cloud, tok, sid, _ string) resp {
				return do(t, http.MethodGet, c.ComputeURL()+"/servers/"+sid, tok, nil)
			},
			check: wantNovaFault(500, "computeFault", ""),
		},
		{
			name:  "keystone 401",
			fault: Fault{Op: OpAuth, Status: 401},
			call: func(t *testing.T, c *Cloud, _, _, _ string) resp {
				return do(t, http.MethodPost, c.IdentityURL()+"/auth/tokens", "", passwordAuth("demo", "secret"))
			},
			check: func(t *testing.T, r resp) {
				if r.status != 401 || dig(r.body, "error", "code") != float64(401) || r.str("error", "title") != "Unauthorized" || r.header.Get("X-Subject-Token") != "" {
					t.Errorf("%d %s", r.status, r.raw)
				}
			},
		},
		{
			name:  "keystone 503 with Retry-After",
			fault: Fault{Op: OpAuth, Status: 503, RetryAfter: "2"},
			call: func(t *testing.T, c *Cloud, _, _, _ string) resp {
				return do(t, http.MethodPost, c.IdentityURL()+"/auth/tokens", "", passwordAuth("demo", "secret"))
			},
			check: func(t *testing.T, r resp) {
				if r.status != 503 || r.str("error", "message") == "" || r.header.Get("Retry-After") != "2" {
					t.Errorf("%d %v %s", r.status, r.header, r.raw)
				}
			},
		},
		{
			name:  "glance 500",
			fault: Fault{Op: OpGetImage, Status: 500},
			call:  callGetImage,
			check: func(t *testing.T, r resp) {
				if r.status != 500 || r.str("code") != "500 Internal Server Error" || r.str("message") == "" {
					t.Errorf("%d %s", r.status, r.raw)
				}
			},
		},
		{
			name:  "glance list 429",
			fault: Fault{Op: OpListImages, Status: 429, RetryAfter: "1"},
			call: func(t *testing.T, c *Cloud, tok, _, _ string) resp {
				return do(t, http.MethodGet, c.ImageURL()+"/v2/images", tok, nil)
			},
			check: func(t *testing.T, r resp) {
				if r.status != 429 || r.str("title") != "Too Many Requests" || r.header.Get("Retry-After") != "1" {
					t.Errorf("%d %s", r.status, r.raw)
				}
			},
		},
		{
			name:  "versions 503",
			fault: Fault{Op: OpVersions, Status: 503},
			call: func(t *testing.T, c *Cloud, _, _, _ string) resp {
				return do(t, http.MethodGet, c.ComputeURL()+"/", "", nil)
			},
			check: wantNovaFault(503, "serviceUnavailable", ""),
		},
		{
			name:  "latency only",
			fault: Fault{Op: OpGetImage, Latency: 150 * time.Millisecond},
			call:  callGetImage,
			check: func(t *testing.T, r resp) {
				if r.status != 200 {
					t.Errorf("%d %s", r.status, r.raw)
				}
			},
		},
		{
			name:  "latency then status",
			fault: Fault{Op: OpDeleteImage, Latency: 50 * time.Millisecond, Status: 409},
			call: func(t *testing.T, c *Cloud, tok, _, iid string) resp {
				return do(t, http.MethodDelete, c.ImageURL()+"/v2/images/"+iid, tok, nil)
			},
			check: func(t *testing.T, r resp) {
				if r.status != 409 || r.str("title") != "Conflict" {
					t.Errorf("%d %s", r.status, r.raw)
				}
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, tok := newLoggedInCloud(t, Options{})
			s := c.AddServer(Server{})
			img := c.AddImage(Image{ServerID: s.ID})
			c.InjectFault(tc.fault)
			before := len(c.Images())
			start := time.Now()
			tc.check(t, tc.call(t, c, tok, s.ID, img.ID))
			if d := time.Since(start); d < tc.fault.Latency {
				t.Errorf("answered after %v, before the fault's latency", d)
			}
			if tc.fault.Status != 0 && len(c.Images()) != before {
				t.Error("a failed call changed the images")
			}
			if c.Calls(tc.fault.Op) == 0 {
				t.Errorf("faulted call not in the ledger: %v", c.Ledger())
			}
			// Times defaults to 1: the next call is normal.
			if r := tc.call(t, c, tok, s.ID, img.ID); r.status >= 400 && r.status != 409 {
				t.Errorf("second call still faulted: %d %s", r.status, r.raw)
			}
		})
	}
}

func callCreate(t *testing.T, c *Cloud, tok, serverID, _ string) resp {
	return createImage(t, c, tok, serverID, "snap", "2.45", nil)
}

func callGetImage(t *testing.T, c *Cloud, tok, _, imageID string) resp {
	return do(t, http.MethodGet, c.ImageURL()+"/v2/images/"+imageID, tok, nil)
}

func wantNovaFault(status int, name, retryAfter string) func(*testing.T, resp) {
	return func(t *testing.T, r resp) {
		t.Helper()
		if r.status != status || dig(r.body, name, "code") != float64(status) || r.str(name, "message") == "" {
			t.Errorf("want %d %s: got %d %s", status, name, r.status, r.raw)
		}
		if r.header.Get("Retry-After") != retryAfter || r.str(name, "retryAfter") != retryAfter {
			t.Errorf("retry after: header %q body %q, want %q", r.header.Get("Retry-After"), r.str(name, "retryAfter"), retryAfter)
		}
	}
}

func TestFaultMatching(t *testing.T) {
	c, tok := newLoggedInCloud(t, Options{})
	a, b := c.AddServer(Server{}), c.AddServer(Server{})
	imgA := c.AddImage(Image{ServerID: a.ID})
	imgB := c.AddImage(Image{ServerID: b.ID})
	get := func(id string) int { return do(t, http.MethodGet, c.ComputeURL()+"/servers/"+id, tok, nil).status }
	getImg := func(id string) int { return do(t, http.MethodGet, c.ImageURL()+"/v2/images/"+id, tok, nil).status }

	c.InjectFault(Fault{Op: OpGetServer, Status: 503, Times: 2, ServerID: a.ID})
	steps := []struct {
		name string
		call func() int
		want int
	}{
		{"other server unaffected", func() int { return get(b.ID) }, 200},
		{"first of two", func() int { return get(a.ID) }, 503},
		{"second of two", func() int { return get(a.ID) }, 503},
		{"used up", func() int { return get(a.ID) }, 200},
		{"image op matches by the image's server", func() int {
			c.InjectFault(Fault{Op: OpGetImage, Status: 500, ServerID: a.ID})
			return getImg(imgB.ID)
		}, 200},
		{"image of the faulted server", func() int { return getImg(imgA.ID) }, 500},
		{"list matches by instance_uuid filter", func() int {
			c.InjectFault(Fault{Op: OpListImages, Status: 503, ServerID: a.ID})
			return do(t, http.MethodGet, c.ImageURL()+"/v2/images?instance_uuid="+b.ID, tok, nil).status
		}, 200},
		{"list filtered by the faulted server", func() int {
			return do(t, http.MethodGet, c.ImageURL()+"/v2/images?instance_uuid="+a.ID, tok, nil).status
		}, 503},
		{"faults apply in order", func() int {
			c.InjectFault(Fault{Op: OpGetServer, Status: 409})
			c.InjectFault(Fault{Op: OpGetServer, Status: 503})
			return get(a.ID)
		}, 409},
		{"then the second", func() int { return get(a.ID) }, 503},
		{"ClearFaults", func() int {
			c.InjectFault(Fault{Op: OpGetServer, Status: 500, Times: 100})
			c.ClearFaults()
			return get(a.ID)
		}, 200},
	}
	for _, st := range steps {
		if got := st.call(); got != st.want {
			t.Errorf("%s: %d, want %d", st.name, got, st.want)
		}
	}
}

func TestDropResponse(t *testing.T) {
	c, tok := newLoggedInCloud(t, Options{})
	s := c.AddServer(Server{})

	// createImage commits, then the connection dies without an answer.
	c.InjectFault(Fault{Op: OpCreateImage, DropResponse: true, ServerID: s.ID})
	_, err := doErr(http.MethodPost, c.ComputeURL()+"/servers/"+s.ID+"/action", tok,
		map[string]any{"createImage": map[string]any{"name": "lost", "metadata": map[string]string{"serverimage_uid": "k1"}}},
		"OpenStack-API-Version: compute 2.45")
	if err == nil {
		t.Fatal("client got a response despite DropResponse")
	}
	imgs := c.Images()
	if len(imgs) != 1 || imgs[0].Name != "lost" || c.Calls(OpCreateImage) != 1 {
		t.Fatalf("images %+v, createImage calls %d", imgs, c.Calls(OpCreateImage))
	}
	// The "find again" lookup sees the committed image, and a retry of the
	// create is refused because the server is busy with it.
	r := do(t, http.MethodGet, c.ImageURL()+"/v2/images?serverimage_uid=k1&instance_uuid="+s.ID, tok, nil)
	if got := names(r); len(got) != 1 || got[0] != "lost" {
		t.Errorf("find again: %v", got)
	}
	if r := createImage(t, c, tok, s.ID, "retry", "2.45", nil); r.status != 409 {
		t.Errorf("retry while the first runs: %d", r.status)
	}

	// A dropped DELETE deletes.
	img := c.AddImage(Image{})
	c.InjectFault(Fault{Op: OpDeleteImage, DropResponse: true})
	if _, err := doErr(http.MethodDelete, c.ImageURL()+"/v2/images/"+img.ID, tok, nil); err == nil {
		t.Error("client got a response despite DropResponse")
	}
	if _, ok := c.Image(img.ID); ok {
		t.Error("dropped delete did not delete")
	}

	// A dropped auth issues a token nobody received; with latency too.
	c.InjectFault(Fault{Op: OpAuth, DropResponse: true, Latency: 20 * time.Millisecond})
	if _, err := doErr(http.MethodPost, c.IdentityURL()+"/auth/tokens", "", passwordAuth("demo", "secret")); err == nil {
		t.Error("auth answered despite DropResponse")
	}
	if c.Calls(OpAuth) != 2 {
		t.Errorf("auth calls %d", c.Calls(OpAuth))
	}
}
