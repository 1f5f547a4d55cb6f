package faultmatrix

import (
	"fmt"
	"strings"
	"time"

	"github.com/serverimage-operator/serverimage-operator/internal/cloud"
	"github.com/serverimage-operator/serverimage-operator/internal/policy"
)

// Observed is what the driver returned for one cell in the test run.
type Observed struct {
	Fault Fault
	Op    Op
	// Class is "" when the operation succeeded.
	Class      cloud.ErrorClass
	HTTPStatus int
	// Kind is how the error message starts after the operation name
	// ("HTTP 503", "timeout", "TLS error", ...), "" on success.
	Kind string
}

// RetryAfterCase is one form of rate-limit hint checked by the test.
type RetryAfterCase struct {
	Form     string // "Retry-After: 7"
	Statuses string // "413, 429"
	Want     string // "7 s"
}

// Render writes docs/fault-matrix.md from the observed cells (which the
// test has already compared with Expected) and the Retry-After cases.
func Render(cells []Observed, retryAfter []RetryAfterCase) string {
	var b strings.Builder
	b.WriteString(header)
	b.WriteString("\n## Reactions by class and step\n\n")
	b.WriteString(reactionsIntro)
	b.WriteString("\n| Class | " + joinSteps() + " |\n")
	b.WriteString("|---|" + strings.Repeat("---|", len(policy.Steps)) + "\n")
	for _, class := range policy.Classes {
		row := []string{"`" + string(class) + "`"}
		for _, step := range policy.Steps {
			row = append(row, describe(policy.For(step, class)))
		}
		b.WriteString("| " + strings.Join(row, " | ") + " |\n")
	}

	byOp := map[Op][]Observed{}
	for _, c := range cells {
		byOp[c.Op] = append(byOp[c.Op], c)
	}
	for _, op := range Ops {
		fmt.Fprintf(&b, "\n## %s\n\n%s\n\n", title(op), opIntro[op])
		b.WriteString("| Fault | Class | Recorded as | Ready reason | Retries | Note |\n|---|---|---|---|---|---|\n")
		for _, c := range byOp[op] {
			class, rec, reason, retry := "none (success)", "—", "—", "—"
			if c.Class != "" {
				class = "`" + string(c.Class) + "`"
				rec = c.Kind
				if r, ok := CellReaction(c.Fault, c.Op); ok {
					reason = reasonText(r)
					retry = retryText(r)
				}
			}
			fmt.Fprintf(&b, "| %s | %s | %s | %s | %s | %s |\n", c.Fault, class, rec, reason, retry, Note(c.Fault, c.Op))
		}
	}

	b.WriteString("\n## Rate-limit hints\n\n")
	b.WriteString(retryAfterIntro)
	b.WriteString("\n| Hint sent | Statuses | Wait the driver records |\n|---|---|---|\n")
	for _, r := range retryAfter {
		fmt.Fprintf(&b, "| %s | %s | %s |\n", r.Form, r.Statuses, r.Want)
	}
	return b.String()
}

func joinSteps() string {
	names := make([]string, 0, len(policy.Steps))
	for _, c := range policy.Steps {
		names = append(names, string(c))
	}
	return strings.Join(names, " | ")
}

func title(op Op) string {
	s := string(op)
	return strings.ToUpper(s[:1]) + s[1:]
}

func describe(r policy.Reaction) string {
	return reasonText(r) + "; " + retryText(r)
}

func reasonText(r policy.Reaction) string {
	state := "Reconciling"
	if r.Stalled {
		state = "Stalled"
	}
	return "`" + r.Reason + "` (" + state + ")"
}

func retryText(r policy.Reaction) string {
	switch r.Retry {
	case policy.RetryBackoff:
		return "backoff 1 s → 5 min"
	case policy.RetryAfter:
		return "after the cloud's wait (+≤10 %), else backoff"
	case policy.RetryEvery:
		return "every " + minutes(r.Every)
	}
	return "no: until the object, its Cloud or Secret changes"
}

func minutes(d time.Duration) string {
	return fmt.Sprintf("%d min", int(d/time.Minute))
}

const header = `# Fault matrix

What the operator does when the cloud fails, for every fault in the list
the project tests against and every operation the reconcilers call. It is
generated: ` + "`go test ./internal/cloud/openstack -run FaultMatrix -update`" + `
injects each fault into the simulator (internal/fakecloud), calls the real
OpenStack driver, checks the class it returns, and rewrites this file; the
same test without ` + "`-update`" + ` fails when this file is out of date. The
reactions come from internal/faultmatrix, which a controllers test checks
against the reconcilers' failure handling.

Rackspace, Huawei Cloud and Samsung Cloud Platform classify through the
same helpers (internal/cloud: ClassifyStatus, NewHTTPError,
NewTransportError), so their classes are the same for the same status.

How each fault is made:

- a status: the simulator answers every attempt of the operation with it,
  in the service's own error format (Keystone, Nova, Glance);
- timeout: the answer is delayed past the client's request timeout
  (Cloud requests time out after 60 s; the test uses 300 ms);
- connection reset: the simulator performs the operation, then closes the
  connection without answering (keep-alives off, so Go does not silently
  retry a GET on a fresh connection);
- TLS failure: the endpoint serves a certificate from a CA the client was
  not given;
- malformed JSON: a success status with a body that is not JSON.

Columns: **Class** is the internal/cloud ErrorClass the driver returns;
**Recorded as** is how the error message in the condition starts; **Ready
reason** is the reason of the object's ` + "`Ready=False`" + ` condition, with
` + "`Stalled`" + ` (a person must act) or ` + "`Reconciling`" + ` (the operator keeps
trying); **Retries** is when the next attempt comes. Every change of the
Ready condition is also an Event (Warning for failures). Backoff is the
controller's workqueue rate limiter: per object, 1 s doubling to a 5 min
cap with half of it random, under an overall bucket, reset by a success
and by a restart.
`

const reactionsIntro = `What the reconcilers do with a class at each step: internal/policy's
table, rendered. *authenticate* is the Cloud's credential check (its
ServerImages show ` + "`CloudNotReady`" + ` and are re-checked every 30 s or when the
Cloud turns Ready); *find images*, *get server* and *create* are the steps
of a create (the find runs only when a create may already have been sent,
the server read only on clouds whose create does not say why it refuses);
*import* reads the image of spec.import; *poll* is an object whose image is
being built, which the poller keeps reading whatever the object shows (a
Ready object stays Ready while a drift check fails); *delete* is
deletionPolicy Delete, where the finalizer stays until the image is gone.
`

var opIntro = map[Op]string{
	OpAuth:       "Keystone token request (`POST /v3/auth/tokens`); reaction: Cloud check.",
	OpGetServer:  "Nova `GET /servers/{id}`: before a create on clouds whose create does not say why it refuses, and to tell an orphan of a failed create from a slow one; reaction: get server.",
	OpCreate:     "Nova `POST /servers/{id}/action` createImage; reaction: create.",
	OpGetImage:   "Glance `GET /v2/images/{id}` (per-object polling, import, and the wait after a delete); reaction: poll. The default batched poll reads through the image list, the call of *find images*, with the same classes.",
	OpFindImages: "Glance `GET /v2/images?serverimage_uid=…` before a create that may already have been sent (and when deleting an object that recorded no ID); reaction: find images.",
	OpDelete:     "Glance `DELETE /v2/images/{id}`; reaction: delete.",
}

const retryAfterIntro = `413 and 429 are ` + "`RateLimited`" + `; the wait the cloud asks for is read
from the ` + "`Retry-After`" + ` header in both its forms, else from the body's
` + "`retryAfter`" + ` (Nova copies the header there) or ` + "`retryAt`" + ` (Rackspace),
and the object is retried after it (plus up to 10 %). Checked for every
operation above.
`
