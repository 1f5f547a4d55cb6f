package fakecloud

import (
	"net/http"
	"strings"
	"testing"
)

func TestNegotiateMicroversion(t *testing.T) {
	tests := []struct {
		name    string
		headers map[string]string
		max     int
		want    int
		status  int
	}{
		{"none means base", nil, 96, 1, 0},
		{"new header", map[string]string{"OpenStack-API-Version": "compute 2.45"}, 96, 45, 0},
		{"old header", map[string]string{"X-OpenStack-Nova-API-Version": "2.60"}, 96, 60, 0},
		{"new header wins", map[string]string{"OpenStack-API-Version": "compute 2.45", "X-OpenStack-Nova-API-Version": "2.60"}, 96, 45, 0},
		{"other services ignored", map[string]string{"OpenStack-API-Version": "volume 3.10, compute 2.38"}, 96, 38, 0},
		{"only other service falls back", map[string]string{"OpenStack-API-Version": "image 2.5", "X-OpenStack-Nova-API-Version": "2.3"}, 96, 3, 0},
		{"latest", map[string]string{"OpenStack-API-Version": "compute latest"}, 88, 88, 0},
		{"max", map[string]string{"OpenStack-API-Version": "compute 2.96"}, 96, 96, 0},
		{"above max", map[string]string{"OpenStack-API-Version": "compute 2.97"}, 96, 0, 406},
		{"above max of 2.1 cloud", map[string]string{"X-OpenStack-Nova-API-Version": "2.45"}, 1, 0, 406},
		{"below min", map[string]string{"OpenStack-API-Version": "compute 2.0"}, 96, 0, 406},
		{"major 3", map[string]string{"OpenStack-API-Version": "compute 3.1"}, 96, 0, 406},
		{"malformed", map[string]string{"OpenStack-API-Version": "compute two"}, 96, 0, 400},
		{"leading zero", map[string]string{"X-OpenStack-Nova-API-Version": "2.01"}, 96, 0, 400},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := http.Header{}
			for k, v := range tc.headers {
				h.Set(k, v)
			}
			got, err := negotiateMicroversion(h, tc.max)
			switch {
			case tc.status != 0 && (err == nil || err.status != tc.status):
				t.Fatalf("got %d, %+v; want status %d", got, err, tc.status)
			case tc.status == 0 && (err != nil || got != tc.want):
				t.Fatalf("got %d, %+v; want %d", got, err, tc.want)
			}
		})
	}
}

func TestMicroversionOverHTTP(t *testing.T) {
	c, tok := newLoggedInCloud(t, Options{})
	s := c.AddServer(Server{})
	url := c.ComputeURL() + "/servers/" + s.ID
	tests := []struct {
		name      string
		header    string
		status    int
		echo      string
		faultName string
	}{
		{"default", "", 200, "2.1", ""},
		{"2.45", "OpenStack-API-Version: compute 2.45", 200, "2.45", ""},
		{"legacy header", "X-OpenStack-Nova-API-Version: 2.79", 200, "2.79", ""},
		{"406", "OpenStack-API-Version: compute 2.200", 406, "", "computeFault"},
		{"400", "OpenStack-API-Version: compute x.y", 400, "", "badRequest"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var hdr []string
			if tc.header != "" {
				hdr = append(hdr, tc.header)
			}
			r := do(t, http.MethodGet, url, tok, nil, hdr...)
			if r.status != tc.status {
				t.Fatalf("status %d: %s", r.status, r.raw)
			}
			if tc.faultName != "" {
				if msg := r.str(tc.faultName, "message"); msg == "" {
					t.Errorf("fault body %s", r.raw)
				}
				return
			}
			if got := r.header.Get("X-OpenStack-Nova-API-Version"); got != tc.echo {
				t.Errorf("X-OpenStack-Nova-API-Version %q", got)
			}
			if got := r.header.Get("OpenStack-API-Version"); got != "compute "+tc.echo {
				t.Errorf("OpenStack-API-Version %q", got)
			}
			if !strings.Contains(r.header.Get("Vary"), "OpenStack-API-Version") {
				t.Errorf("Vary %q", r.header.Get("Vary"))
			}
		})
	}
}

func TestComputeVersionDocuments(t *testing.T) {
	tests := []struct {
		name         string
		max          string
		wantVersion  string
		wantMin      string
		legacyHeader bool
	}{
		{"default", "", "2.96", "2.1", false},
		{"custom", "2.60", "2.60", "2.1", false},
		{"no microversions", "2.1", "2.1", "2.1", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := newTestCloud(t, Options{MaxMicroversion: tc.max})
			for _, path := range []string{"/compute/v2.1", "/compute/v2.1/", "/compute/v2.1/" + c.ProjectID()} {
				r := do(t, http.MethodGet, c.URL()+path, "", nil)
				if r.status != 200 || r.str("version", "version") != tc.wantVersion || r.str("version", "min_version") != tc.wantMin || r.str("version", "id") != "v2.1" {
					t.Errorf("%s: %d %s", path, r.status, r.raw)
				}
			}
			legacy := do(t, http.MethodGet, c.URL()+"/compute/v2/", "", nil)
			if legacy.str("version", "id") != "v2.0" || legacy.str("version", "version") != "" {
				t.Errorf("v2 doc %s", legacy.raw)
			}
			root := do(t, http.MethodGet, c.URL()+"/compute/", "", nil)
			if vs, _ := dig(root.body, "versions").([]any); len(vs) != 2 {
				t.Errorf("root %s", root.raw)
			}
			if n := c.Calls(OpVersions); n != 5 {
				t.Errorf("versions calls %d", n)
			}
		})
	}
}

func TestSetMaxMicroversionAndLegacy(t *testing.T) {
	c, tok := newLoggedInCloud(t, Options{})
	s := c.AddServer(Server{})
	get := func(base, mv string) resp {
		return do(t, http.MethodGet, base+"/servers/"+s.ID, tok, nil, "OpenStack-API-Version: compute "+mv)
	}
	if r := get(c.ComputeURL(), "2.45"); r.status != 200 {
		t.Fatalf("2.45 before: %d", r.status)
	}
	c.SetMaxMicroversion("2.1")
	if r := get(c.ComputeURL(), "2.45"); r.status != 406 {
		t.Errorf("2.45 on a 2.1 cloud: %d", r.status)
	}
	if r := do(t, http.MethodGet, c.URL()+"/compute/v2.1/", "", nil); r.str("version", "version") != "2.1" {
		t.Errorf("version doc after SetMaxMicroversion: %s", r.raw)
	}
	c.SetMaxMicroversion("")
	if r := get(c.ComputeURL(), "2.96"); r.status != 200 {
		t.Errorf("2.96 after reset: %d", r.status)
	}
	// The legacy /v2/{project_id} API ignores microversion headers and
	// sends none back.
	r := get(c.LegacyComputeURL(), "2.200")
	if r.status != 200 || r.header.Get("X-OpenStack-Nova-API-Version") != "" || r.header.Get("OpenStack-API-Version") != "" {
		t.Errorf("legacy: %d %v", r.status, r.header)
	}
	// Project ID in the /v2.1 path is optional but must match the token.
	if r := get(c.URL()+"/compute/v2.1/"+c.ProjectID(), "2.1"); r.status != 200 {
		t.Errorf("v2.1 with project: %d", r.status)
	}
	if r := get(c.URL()+"/compute/v2.1/0123456789abcdef0123456789abcdef", "2.1"); r.status != 400 || r.str("badRequest", "message") == "" {
		t.Errorf("v2.1 with other project: %d %s", r.status, r.raw)
	}
}
