package scp

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"strconv"
	"time"
)

// clientType is the only Scp-ClientType for access-key signed calls.
const clientType = "Openapi"

// Request headers of SCP's OpenAPI gateway. Header names are case
// insensitive; Go sends them in canonical form.
const (
	headerAccessKey  = "Scp-Accesskey"
	headerSignature  = "Scp-Signature"
	headerTimestamp  = "Scp-Timestamp"
	headerClientType = "Scp-ClientType"
	headerAccountID  = "Scp-AccountId"
	headerAPIVersion = "Scp-Api-Version"
)

// signature is SCP's request signature: Base64 of HMAC-SHA256 keyed with
// the secret key over the plain concatenation (no separators) of method,
// full URL (with "?" and the raw query when there is one), timestamp in
// milliseconds, access key, account ID (may be empty) and client type.
func signature(secretKey, method, fullURL, timestamp, accessKey, accountID string) string {
	mac := hmac.New(sha256.New, []byte(secretKey))
	for _, part := range []string{method, fullURL, timestamp, accessKey, accountID, clientType} {
		mac.Write([]byte(part))
	}
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

// signedURL is the URL exactly as it goes on the wire, which is what the
// gateway rebuilds and checks: scheme, host (the Host header when set),
// escaped path and raw query. Building the string from the request rather
// than from our own inputs keeps the two from drifting apart.
func signedURL(r *http.Request) string {
	host := r.Host
	if host == "" {
		host = r.URL.Host
	}
	return r.URL.Scheme + "://" + host + r.URL.RequestURI()
}

// signer is an http.RoundTripper that signs every request, including the
// ones a redirect produces, at the moment it is sent (the gateway rejects
// stale timestamps, so a signature must not be computed ahead of time).
type signer struct {
	base  http.RoundTripper
	creds credentials
	now   func() time.Time
}

func (s *signer) RoundTrip(req *http.Request) (*http.Response, error) {
	// A RoundTripper must not modify the caller's request.
	r := req.Clone(req.Context())
	ts := strconv.FormatInt(s.now().UnixMilli(), 10)
	r.Header.Set(headerAccessKey, s.creds.accessKey)
	r.Header.Set(headerTimestamp, ts)
	r.Header.Set(headerClientType, clientType)
	// Sent even when empty, as Samsung's SDK does: the value is part of
	// the signed message either way.
	r.Header.Set(headerAccountID, s.creds.accountID)
	r.Header.Set("Accept-Language", "en-US")
	r.Header.Set(headerSignature, signature(s.creds.secretKey, r.Method, signedURL(r), ts, s.creds.accessKey, s.creds.accountID))
	return s.base.RoundTrip(r)
}
