package scp

import (
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/serverimage-operator/serverimage-operator/internal/cloud"
	"github.com/serverimage-operator/serverimage-operator/internal/cloud/drivertest"
)

// Fuzz targets for what the SCP driver decodes (error envelopes, images,
// servers) and for its request signature against the simulator's gateway.
// Seeds are in testdata/fuzz/<target>.

// FuzzErrorMessage: every error envelope SCP is known to send, and junk.
func FuzzErrorMessage(f *testing.F) {
	f.Fuzz(func(t *testing.T, body []byte) {
		msg := errorMessage(body)
		if len(msg) > maxMessageLen+len("…") {
			t.Fatalf("message is %d bytes, over the bound", len(msg))
		}
		if strings.ContainsAny(msg, "\n\r\t") || msg != strings.TrimSpace(msg) {
			t.Fatalf("message %q is not one trimmed line", msg)
		}
		if utf8.Valid(body) && !utf8.ValidString(msg) {
			t.Fatalf("message %q is not valid UTF-8 although the body was", msg)
		}
	})
}

// FuzzImage: GET /v1/images/{id} and an image list page.
func FuzzImage(f *testing.F) {
	f.Fuzz(func(t *testing.T, body []byte) {
		var list imageList
		if json.Unmarshal(body, &list) != nil {
			return
		}
		var one scpImage
		_ = json.Unmarshal(body, &one)
		for _, img := range append(list.Images, one) {
			out := img.toImage()
			drivertest.CheckPhase(t, out.Phase)
			if out.SizeBytes != nil && *out.SizeBytes <= 0 {
				t.Fatalf("size %d", *out.SizeBytes)
			}
			if out.Status != statusOf(img) || out.ID != img.ID {
				t.Fatal("identity fields changed on the way")
			}
		}
	})
}

// FuzzServer: GET /v1/servers/{id} and the mapping of its state.
func FuzzServer(f *testing.F) {
	f.Fuzz(func(t *testing.T, body []byte) {
		var srv scpServer
		if json.Unmarshal(body, &srv) != nil || srv.State == nil {
			return
		}
		s := serverOf(srv.ID, *srv.State)
		// Every state maps to exactly one readiness, and the raw state is
		// kept for messages.
		switch s.Readiness {
		case cloud.ServerIdle, cloud.ServerBusy, cloud.ServerCannotBeImaged:
		default:
			t.Fatalf("state %q has readiness %q", *srv.State, s.Readiness)
		}
		if s.Status != strings.ToUpper(strings.TrimSpace(*srv.State)) {
			t.Fatalf("state %q shown as %q", *srv.State, s.Status)
		}
		if s.ID != srv.ID {
			t.Fatal("the server ID changed on the way")
		}
	})
}

// FuzzSignerAgainstGateway: the signer against the simulator's gateway,
// which verifies signatures with its own implementation.
func FuzzSignerAgainstGateway(f *testing.F) {
	drivertest.FuzzSignedRequests(f, simConfig, "0f5c7a52-4f0e-4a3e-9a61-5d3b2f7d8c10")
}
