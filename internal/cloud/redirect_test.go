package cloud

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/serverimage-operator/serverimage-operator/internal/cloud/cloudtest"
)

// TestSameHostRedirects: a redirect to another host (or from https to
// http) is not followed, so neither the token header nor a POST body
// reaches it; a redirect within the host is followed.
func TestSameHostRedirects(t *testing.T) {
	other := &cloudtest.Collector{}
	otherSrv := httptest.NewServer(other)
	t.Cleanup(otherSrv.Close)
	home := http.NewServeMux()
	home.HandleFunc("/away", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, otherSrv.URL+"/stolen", http.StatusTemporaryRedirect)
	})
	home.HandleFunc("/moved", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/here", http.StatusTemporaryRedirect)
	})
	home.HandleFunc("/here", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusNoContent) })
	homeSrv := httptest.NewServer(home)
	t.Cleanup(homeSrv.Close)
	client := &http.Client{CheckRedirect: SameHostRedirects}

	tests := []struct {
		name       string
		method     string
		path       string
		body       string
		wantStatus int
	}{
		{"GET with a token, redirected elsewhere", http.MethodGet, "/away", "", http.StatusTemporaryRedirect},
		{"POST with a password, 307 elsewhere", http.MethodPost, "/away", `{"password":"hunter2"}`, http.StatusTemporaryRedirect},
		{"redirect within the host", http.MethodPost, "/moved", `{"x":1}`, http.StatusNoContent},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			req, err := http.NewRequest(tc.method, homeSrv.URL+tc.path, strings.NewReader(tc.body))
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("X-Auth-Token", "gAAAA-secret-token")
			res, err := client.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			_ = res.Body.Close()
			if res.StatusCode != tc.wantStatus {
				t.Errorf("status %d, want %d", res.StatusCode, tc.wantStatus)
			}
		})
	}
	if got := other.Received(); len(got) != 0 {
		t.Errorf("the other server received %q", got)
	}
}

func TestSameHostRedirectsRefusesDowngrade(t *testing.T) {
	via := []*http.Request{{URL: mustURL(t, "https://keystone.example/v3/auth/tokens")}}
	for _, tc := range []struct {
		to   string
		want error
	}{
		{"https://keystone.example/v3/auth/tokens/", nil},
		{"http://keystone.example/v3/auth/tokens", http.ErrUseLastResponse},
		{"https://KEYSTONE.example/x", nil},
		{"https://keystone.example:8443/x", http.ErrUseLastResponse},
		{"https://evil.example/x", http.ErrUseLastResponse},
	} {
		if got := SameHostRedirects(&http.Request{URL: mustURL(t, tc.to)}, via); got != tc.want {
			t.Errorf("redirect to %s: %v, want %v", tc.to, got, tc.want)
		}
	}
}

func mustURL(t *testing.T, s string) *url.URL {
	t.Helper()
	u, err := url.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return u
}
