package fakecloud

import (
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// The one SCP access key the simulator knows. Fixed so that logs and
// golden files stay stable; any account ID is accepted (it is signed, so a
// client must still send the one it signed).
const (
	scpAccessKey = "fakecloudSCPAccessKey0001"
	scpSecretKey = "fakecloud-scp-secret-key-0001"
)

// scpMaxSkew is how far a request's timestamp may be from the gateway's
// clock, either way. SCP does not publish its window; 5 minutes is the
// common choice of signed-request gateways.
const scpMaxSkew = 5 * time.Minute

// scpClientType is the client type of access-key signed calls.
const scpClientType = "Openapi"

// SCPAccessKey and SCPSecretKey are the Secret's accessKey and secretKey
// for this cloud.
func (c *Cloud) SCPAccessKey() string { return scpAccessKey }
func (c *Cloud) SCPSecretKey() string { return scpSecretKey }

// scpSignature computes the signature the gateway expects. It is written
// here independently of the operator's driver (the simulator must not
// test the driver against itself) and is checked against a vector computed
// with Python's hmac module (TestSCPSignatureVector in scp_test.go).
func scpSignature(secretKey, method, fullURL, timestamp, accessKey, accountID, clientType string) string {
	mac := hmac.New(sha256.New, []byte(secretKey))
	mac.Write([]byte(method + fullURL + timestamp + accessKey + accountID + clientType))
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

// scpRequestURL is the URL the client signed, rebuilt from what arrived:
// scheme, Host header and the request target exactly as sent (not
// re-encoded), so that any difference in encoding shows as a mismatch.
func scpRequestURL(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host + r.RequestURI
}

// scpAuthenticate checks the signature headers. On failure it answers as
// we model the gateway and reports false:
//   - none of the signature headers at all: 404 with a Spring-style
//     envelope, as testers of the real gateway report for unauthenticated
//     requests (the API reference documents 401);
//   - headers present but wrong (missing part, other client type,
//     unreadable or stale timestamp, unknown access key, bad signature):
//     401 with SCP's {"errors":[…]} body. The codes are the simulator's
//     own; SCP's real codes for these cases are not published.
func (c *Cloud) scpAuthenticate(w http.ResponseWriter, r *http.Request) bool {
	ak := r.Header.Get("Scp-Accesskey")
	sig := r.Header.Get("Scp-Signature")
	ts := r.Header.Get("Scp-Timestamp")
	if ak == "" && sig == "" && ts == "" {
		writeJSON(w, http.StatusNotFound, map[string]any{
			"timestamp": time.Now().UTC().Format("2006-01-02T15:04:05.000+00:00"),
			"status":    http.StatusNotFound,
			"error":     "Not Found",
			"message":   "No message available",
			"path":      r.URL.Path,
		})
		return false
	}
	fail := func(code, msg string) bool {
		scpError(w, http.StatusUnauthorized, code, msg)
		return false
	}
	for _, h := range []struct{ name, v string }{{"Scp-Accesskey", ak}, {"Scp-Signature", sig}, {"Scp-Timestamp", ts}} {
		if h.v == "" {
			return fail("scp-openapi.authentication.missing-header", "Required header "+h.name+" is missing.")
		}
	}
	ct := r.Header.Get("Scp-ClientType")
	if ct != scpClientType {
		return fail("scp-openapi.authentication.invalid-client-type", "Scp-ClientType must be "+scpClientType+".")
	}
	ms, err := strconv.ParseInt(strings.TrimSpace(ts), 10, 64)
	if err != nil {
		return fail("scp-openapi.authentication.invalid-timestamp", "Scp-Timestamp must be milliseconds since the epoch.")
	}
	if skew := time.Since(time.UnixMilli(ms)); skew > scpMaxSkew || skew < -scpMaxSkew {
		return fail("scp-openapi.authentication.expired-timestamp", "The request timestamp is outside the allowed time window.")
	}
	if ak != scpAccessKey {
		return fail("scp-openapi.authentication.invalid-access-key", "The access key is not valid.")
	}
	want := scpSignature(scpSecretKey, r.Method, scpRequestURL(r), ts, ak, r.Header.Get("Scp-AccountId"), ct)
	if subtle.ConstantTimeCompare([]byte(want), []byte(sig)) != 1 {
		return fail("scp-openapi.authentication.signature-mismatch", "The request signature does not match.")
	}
	return true
}

// scpVersions are the virtualserver API versions the gateway serves
// (createImage's version table: 1.3 CURRENT, 1.2 SUPPORTED, 1.1 and 1.0
// DEPRECATED but still ACTIVE in the reference).
var scpVersions = map[string]bool{"1.0": true, "1.1": true, "1.2": true, "1.3": true}

// scpCheckAPIVersion checks Scp-Api-Version ("virtualserver 1.3"); without
// the header the gateway uses its latest version.
func scpCheckAPIVersion(w http.ResponseWriter, r *http.Request) bool {
	v := strings.TrimSpace(r.Header.Get("Scp-Api-Version"))
	if v == "" {
		return true
	}
	f := strings.Fields(v)
	if len(f) == 2 && f[0] == "virtualserver" && scpVersions[f[1]] {
		return true
	}
	scpError(w, http.StatusBadRequest, "scp-openapi.api-version.unsupported",
		"Unsupported Scp-Api-Version "+strconv.Quote(v)+": supported versions are virtualserver 1.0, 1.1, 1.2, 1.3.")
	return false
}
