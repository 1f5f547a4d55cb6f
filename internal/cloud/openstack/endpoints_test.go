package openstack

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/serverimage-operator/serverimage-operator/internal/cloud"
)

func TestEndpointSelection(t *testing.T) {
	tests := []struct {
		name        string
		mut         func(s *stub, c *cloud.Config)
		wantCompute string // path prefix the server GET must reach
		wantImage   string // path prefix the image GET must reach
		wantErr     string
	}{
		{name: "catalog, public, region from clouds.yaml", mut: func(*stub, *cloud.Config) {},
			wantCompute: "/compute/v2.1/proj1/", wantImage: "/image/v2/"},
		{name: "internal interface", mut: func(_ *stub, c *cloud.Config) { c.Interface = "internal" },
			wantCompute: "/internal/compute/v2.1/proj1/", wantImage: "/internal/image/v2/"},
		{name: "region override", mut: func(_ *stub, c *cloud.Config) { c.Region = "RegionTwo" },
			wantCompute: "/r2/compute/v2.1/proj1/", wantImage: "/r2/image/v2/"},
		{name: "overrides with project placeholder and /v2 suffix", mut: func(s *stub, c *cloud.Config) {
			c.ComputeURL = s.Srv.URL + "/custom/v2/{project_id}"
			c.ImageURL = s.Srv.URL + "/glance/v2/"
		}, wantCompute: "/custom/v2/proj1/", wantImage: "/glance/v2/"},
		{name: "Cloud projectID fills the placeholder", mut: func(s *stub, c *cloud.Config) {
			c.ComputeURL = s.Srv.URL + "/custom/v2/$(tenant_id)s"
			c.ProjectID = "other"
		}, wantCompute: "/custom/v2/other/", wantImage: "/image/v2/"},
		{name: "unknown region", mut: func(_ *stub, c *cloud.Config) { c.Region = "Mars" },
			wantErr: "no compute endpoint for interface public in region Mars"},
		{name: "unknown region but image not needed is still a compute error", mut: func(_ *stub, c *cloud.Config) {
			c.Region = "Mars"
			c.ImagePollAPI = "ComputeImages"
		}, wantErr: "no compute endpoint"},
		{name: "compute override alone still needs the image catalog entry", mut: func(s *stub, c *cloud.Config) {
			c.Region = "Mars"
			c.ComputeURL = s.Srv.URL + "/custom/v2.1"
		}, wantErr: "no image endpoint for interface public in region Mars"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newStub(t)
			s.Handle("GET /{prefix...}", func(w http.ResponseWriter, r *http.Request) {
				switch {
				case strings.Contains(r.URL.Path, "/servers/"):
					writeJSON(w, 200, `{"server":{"id":"srv1","status":"ACTIVE"}}`)
				case strings.Contains(r.URL.Path, "/images/"):
					writeJSON(w, 200, glanceJSON("img", "active", "", "", "2026-03-01T10:00:00Z", "1"))
				default:
					http.NotFound(w, r)
				}
			})
			p := s.provider(func(c *cloud.Config) { tt.mut(s, c) })
			ctx := context.Background()
			err := p.Authenticate(ctx)
			if tt.wantErr != "" {
				ce := wantClass(t, err, cloud.ClassInvalid)
				if !strings.Contains(ce.Message, tt.wantErr) || ce.Op != "authenticate" {
					t.Fatalf("got %+v", ce)
				}
				// The op that needed the session reports the same.
				_, err = p.GetServer(ctx, "srv1")
				wantClass(t, err, cloud.ClassInvalid)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if _, err := p.GetServer(ctx, "srv1"); err != nil {
				t.Fatal(err)
			}
			img, err := p.GetImage(ctx, "img")
			if err != nil {
				t.Fatal(err)
			}
			if n := len(s.Requests(tt.wantCompute + "servers/srv1")); n != 1 {
				t.Errorf("server GET not sent to %s", tt.wantCompute)
			}
			if n := len(s.Requests(tt.wantImage + "images/img")); n != 1 {
				t.Errorf("image GET not sent to %s", tt.wantImage)
			}
			if want := s.Srv.URL + strings.TrimSuffix(tt.wantImage, "v2/") + "v2/images/img"; img.URL != want {
				t.Errorf("image URL %q, want %q", img.URL, want)
			}
		})
	}
}

func TestGlanceRootAndLinks(t *testing.T) {
	for in, want := range map[string]string{
		"http://h:9292":              "http://h:9292/",
		"http://h:9292/":             "http://h:9292/",
		"http://h:9292/v2":           "http://h:9292/",
		"http://h:9292/v2/":          "http://h:9292/",
		"https://h/image":            "https://h/image/",
		"https://h/image/v2.1/":      "https://h/image/",
		"https://h/image/v2project/": "https://h/image/v2project/",
	} {
		if got := glanceRoot(in); got != want {
			t.Errorf("glanceRoot(%q) = %q, want %q", in, got, want)
		}
	}
	for _, tt := range []struct{ root, link, want string }{
		{"https://h/image/", "/v2/images/x", "https://h/image/v2/images/x"},
		{"https://h/image/", "v2/images/x", "https://h/image/v2/images/x"},
		{"https://h/image/", "https://other/v2/images/x", "https://other/v2/images/x"},
		{"https://h/image/", "", ""},
	} {
		if got := absoluteURL(tt.root, tt.link); got != tt.want {
			t.Errorf("absoluteURL(%q, %q) = %q, want %q", tt.root, tt.link, got, tt.want)
		}
	}
	for _, ph := range projectPlaceholders {
		got, err := fillProject("https://n/v2/"+ph, "p1")
		if err != nil || got != "https://n/v2/p1" {
			t.Errorf("fillProject(%s) = %q, %v", ph, got, err)
		}
	}
	if _, err := fillProject("https://n/v2/{project_id}", ""); err == nil {
		t.Error("placeholder without a project accepted")
	}
	if got, err := fillProject("https://n/v2.1", ""); err != nil || got != "https://n/v2.1" {
		t.Error(fmt.Sprint(got, err))
	}
}
