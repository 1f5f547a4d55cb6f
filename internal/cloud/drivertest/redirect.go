package drivertest

import (
	"net/http"
	"strings"
	"testing"

	"github.com/serverimage-operator/serverimage-operator/internal/cloud"
	"github.com/serverimage-operator/serverimage-operator/internal/cloud/cloudtest"
)

// RedirectCase is one of a driver's services pointed at a front that
// redirects every request to another host.
type RedirectCase struct {
	Name string
	// Provider is the driver with the service at front.
	Provider func(t *testing.T, front string) cloud.Provider
	// Call is a request the driver sends to that service.
	Call func(p cloud.Provider) error
}

// CheckRedirectsDoNotCarryCredentialsAway: a redirect to another host is
// not followed, whatever its status (a 307 or 308 resends the body, a
// password included, and the token header is copied to any target). The
// call fails showing the redirect status, and the other host receives
// nothing.
func CheckRedirectsDoNotCarryCredentialsAway(t *testing.T, cases []RedirectCase) {
	for _, tc := range cases {
		for _, status := range []int{http.StatusFound, http.StatusTemporaryRedirect, http.StatusPermanentRedirect} {
			t.Run(tc.Name+"/"+http.StatusText(status), func(t *testing.T) {
				front := cloudtest.NewRedirectingFront(t, status)
				err := tc.Call(tc.Provider(t, front.URL))
				if err == nil {
					t.Fatal("a redirect to another host was followed to success")
				}
				if !strings.Contains(err.Error(), "HTTP 3") {
					t.Errorf("the error does not show the redirect status: %v", err)
				}
				if got := front.Received(); len(got) != 0 {
					t.Errorf("the other host received %q", got)
				}
			})
		}
	}
}
