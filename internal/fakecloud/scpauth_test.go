package fakecloud

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/serverimage-operator/serverimage-operator/internal/cloud/cloudtest"
)

// TestSCPSignatureVector checks the verifier against signatures computed
// outside Go (cloudtest.SCPSignatureVectors), so that it is not checked
// against itself; the driver's signer is checked against the same ones.
func TestSCPSignatureVector(t *testing.T) {
	for _, tc := range cloudtest.SCPSignatureVectors {
		if got := scpSignature(tc.SecretKey, tc.Method, tc.URL, tc.Timestamp, tc.AccessKey, tc.AccountID, "Openapi"); got != tc.Want {
			t.Errorf("%s %s: signature %s, want %s", tc.Method, tc.URL, got, tc.Want)
		}
	}
}

func TestSCPAuthentication(t *testing.T) {
	c := newTestCloud(t, Options{})
	tests := []struct {
		name     string
		req      scpReq
		want     int
		wantCode string
	}{
		{name: "valid", req: scpReq{}, want: 200},
		{name: "valid with account ID", req: scpReq{accountID: "acct-42"}, want: 200},
		{name: "no signature headers: 404 like the real gateway", req: scpReq{unsigned: true}, want: 404},
		{name: "account ID sent but not signed", req: scpReq{sentAccount: scpStrPtr("acct-42")}, want: 401,
			wantCode: "scp-openapi.authentication.signature-mismatch"},
		{name: "wrong secret key", req: scpReq{secretKey: "not-the-secret"}, want: 401,
			wantCode: "scp-openapi.authentication.signature-mismatch"},
		{name: "unknown access key", req: scpReq{accessKey: "AKunknown"}, want: 401,
			wantCode: "scp-openapi.authentication.invalid-access-key"},
		{name: "stale timestamp", req: scpReq{at: time.Now().Add(-6 * time.Minute)}, want: 401,
			wantCode: "scp-openapi.authentication.expired-timestamp"},
		{name: "timestamp from the future", req: scpReq{at: time.Now().Add(6 * time.Minute)}, want: 401,
			wantCode: "scp-openapi.authentication.expired-timestamp"},
		{name: "slightly skewed clock is fine", req: scpReq{at: time.Now().Add(-4 * time.Minute)}, want: 200},
		{name: "other client type", req: scpReq{clientType: "Console"}, want: 401,
			wantCode: "scp-openapi.authentication.invalid-client-type"},
		{name: "signed another query", req: scpReq{signedPath: "/v1/images?limit=2"}, want: 401,
			wantCode: "scp-openapi.authentication.signature-mismatch"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := tc.req
			r.path = "/v1/images?limit=1"
			got := scpDo(t, c, r)
			if got.status != tc.want || got.scpErrorCode() != tc.wantCode {
				t.Fatalf("status %d code %q, want %d %q: %s", got.status, got.scpErrorCode(), tc.want, tc.wantCode, got.raw)
			}
			if strings.Contains(string(got.raw), c.SCPSecretKey()) {
				t.Errorf("the answer echoes the secret key")
			}
			if tc.want == 404 && (got.str("error") != "Not Found" || got.str("path") == "") {
				t.Errorf("unauthenticated 404 is not the Spring-style envelope: %s", got.raw)
			}
		})
	}
}

func TestSCPAPIVersion(t *testing.T) {
	c := newTestCloud(t, Options{})
	tests := []struct {
		header string
		want   int
	}{
		{"", 200}, // the gateway's latest
		{"virtualserver 1.3", 200},
		{"virtualserver 1.2", 200},
		{"virtualserver 1.1", 200},
		{"virtualserver 1.0", 200},
		{"virtualserver 2.0", 400},
		{"compute 1.3", 400},
		{"1.3", 400},
	}
	for _, tc := range tests {
		r := scpDo(t, c, scpReq{path: "/v1/images?limit=1", apiVersion: tc.header})
		if r.status != tc.want {
			t.Errorf("Scp-Api-Version %q: status %d, want %d: %s", tc.header, r.status, tc.want, r.raw)
		}
		if tc.want == 400 && r.scpErrorCode() != "scp-openapi.api-version.unsupported" {
			t.Errorf("Scp-Api-Version %q: error body %s", tc.header, r.raw)
		}
	}
}

func TestSCPFaultsUseSCPErrors(t *testing.T) {
	c := newTestCloud(t, Options{})
	srv := c.AddServer(Server{})
	c.InjectFault(Fault{Op: OpCreateImage, Status: http.StatusTooManyRequests, RetryAfter: "7"})
	r := scpDo(t, c, scpReq{method: http.MethodPost, path: "/v1/servers/" + srv.ID + "/images", body: map[string]string{"image_name": "x"}})
	if r.status != 429 || r.header.Get("Retry-After") != "7" || r.scpErrorCode() != "scp-virtualserver.too-many-requests" {
		t.Fatalf("429 fault: %d %v %s", r.status, r.header, r.raw)
	}
	if n := len(c.Images()); n != 0 {
		t.Errorf("a failed create made %d images", n)
	}
	if c.Calls(OpCreateImage) != 1 {
		t.Errorf("ledger: %v", c.Ledger())
	}

	// A dropped response: the create commits, the client sees the
	// connection close.
	c.InjectFault(Fault{Op: OpCreateImage, DropResponse: true})
	if r, err := scpSend(c, scpReq{method: http.MethodPost, path: "/v1/servers/" + srv.ID + "/images", body: map[string]string{"image_name": "dropped"}}); err == nil {
		t.Fatalf("dropped response answered %d %s", r.status, r.raw)
	}
	imgs := c.Images()
	if len(imgs) != 1 || imgs[0].Name != "dropped" || imgs[0].Status != StatusQueued {
		t.Fatalf("after the dropped create the cloud has %+v", imgs)
	}

	// An unsigned request meets the fault too (faults come first, as for
	// every dialect) but the signature check still refuses to create.
	c.InjectFault(Fault{Op: OpCreateImage, DropResponse: true})
	if _, err := scpSend(c, scpReq{unsigned: true, method: http.MethodPost, path: "/v1/servers/" + srv.ID + "/images", body: map[string]string{"image_name": "unsigned"}}); err == nil {
		t.Fatalf("dropped response answered")
	}
	if n := len(c.Images()); n != 1 {
		t.Errorf("an unsigned create made an image: %d images", n)
	}
}
