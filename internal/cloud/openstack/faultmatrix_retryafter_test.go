package openstack

import (
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/serverimage-operator/serverimage-operator/internal/cloud"
	"github.com/serverimage-operator/serverimage-operator/internal/fakecloud"
	"github.com/serverimage-operator/serverimage-operator/internal/faultmatrix"
)

// retryAfterForm is one way a cloud says how long to wait. The same table
// drives the test and the rate-limit section of docs/fault-matrix.md.
type retryAfterForm struct {
	form string // as the document shows it
	want string // as the document shows it
	// fault builds the simulator fault for status at now.
	fault func(status int, now time.Time) fakecloud.Fault
	// lo and hi bound the RetryAfter the driver must record.
	lo, hi time.Duration
}

var retryAfterForms = []retryAfterForm{
	{
		form: "`Retry-After: 7` (seconds; Nova also copies it into the body)",
		want: "7 s",
		fault: func(status int, _ time.Time) fakecloud.Fault {
			return fakecloud.Fault{Status: status, RetryAfter: "7"}
		},
		lo: 7 * time.Second, hi: 7 * time.Second,
	},
	{
		form: "`Retry-After:` an HTTP date 90 s ahead",
		want: "≈ 90 s (until that time)",
		fault: func(status int, now time.Time) fakecloud.Fault {
			return fakecloud.Fault{Status: status, RetryAfter: now.Add(90 * time.Second).UTC().Format(http.TimeFormat)}
		},
		lo: 80 * time.Second, hi: 91 * time.Second,
	},
	{
		form: "`Retry-After:` an HTTP date in the past",
		want: "0: retried with backoff",
		fault: func(status int, now time.Time) fakecloud.Fault {
			return fakecloud.Fault{Status: status, RetryAfter: now.Add(-time.Hour).UTC().Format(http.TimeFormat)}
		},
		lo: 0, hi: 0,
	},
	{
		form: "body `\"retryAfter\": \"9\"` only",
		want: "9 s",
		fault: func(status int, _ time.Time) fakecloud.Fault {
			return fakecloud.Fault{Status: status, Body: fmt.Sprintf(`{"overLimit": {"code": %d, "message": "slow down", "retryAfter": "9"}}`, status)}
		},
		lo: 9 * time.Second, hi: 9 * time.Second,
	},
	{
		form: "body `\"retryAt\":` an RFC 3339 time 120 s ahead only (Rackspace)",
		want: "≈ 120 s",
		fault: func(status int, now time.Time) fakecloud.Fault {
			at := now.Add(120 * time.Second).UTC().Format(time.RFC3339)
			return fakecloud.Fault{Status: status, Body: fmt.Sprintf(`{"overLimit": {"code": %d, "message": "slow down", "retryAt": %q}}`, status, at)}
		},
		lo: 110 * time.Second, hi: 121 * time.Second,
	},
	{
		form: "`Retry-After: 3` and body `\"retryAfter\": \"9\"`",
		want: "3 s (the header wins)",
		fault: func(status int, _ time.Time) fakecloud.Fault {
			return fakecloud.Fault{Status: status, RetryAfter: "3", Body: fmt.Sprintf(`{"overLimit": {"code": %d, "message": "slow down", "retryAfter": "9"}}`, status)}
		},
		lo: 3 * time.Second, hi: 3 * time.Second,
	},
	{
		form: "no hint",
		want: "0: retried with backoff",
		fault: func(status int, _ time.Time) fakecloud.Fault {
			return fakecloud.Fault{Status: status}
		},
		lo: 0, hi: 0,
	},
}

var rateLimitStatuses = []int{http.StatusRequestEntityTooLarge, http.StatusTooManyRequests}

func retryAfterCases() []faultmatrix.RetryAfterCase {
	out := make([]faultmatrix.RetryAfterCase, 0, len(retryAfterForms))
	for _, f := range retryAfterForms {
		out = append(out, faultmatrix.RetryAfterCase{Form: f.form, Statuses: "413, 429", Want: f.want})
	}
	return out
}

// TestFaultMatrixRetryAfter checks every form of rate-limit hint, on both
// rate-limit statuses and every operation of the matrix.
func TestFaultMatrixRetryAfter(t *testing.T) {
	for _, form := range retryAfterForms {
		for _, status := range rateLimitStatuses {
			for _, op := range faultmatrix.Ops {
				t.Run(fmt.Sprintf("%s/%d/%s", form.form, status, op), func(t *testing.T) {
					c := newMatrixCell(t, "429", op, nil)
					f := form.fault(status, time.Now())
					f.Op, f.Times = simOp[op], 1000
					c.sim.InjectFault(f)
					ce := wantClass(t, c.call(op), cloud.ClassRateLimited)
					if ce.HTTPStatus != status {
						t.Errorf("status %d, want %d", ce.HTTPStatus, status)
					}
					if ce.RetryAfter < form.lo || ce.RetryAfter > form.hi {
						t.Errorf("RetryAfter %s, want within [%s, %s]", ce.RetryAfter, form.lo, form.hi)
					}
				})
			}
		}
	}
}
