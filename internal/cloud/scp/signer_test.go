package scp

import (
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/serverimage-operator/serverimage-operator/internal/cloud/cloudtest"
)

// The vectors are cloudtest.SCPSignatureVectors, computed outside Go.
func TestSignatureVectors(t *testing.T) {
	for _, v := range cloudtest.SCPSignatureVectors {
		if got := signature(v.SecretKey, v.Method, v.URL, v.Timestamp, v.AccessKey, v.AccountID); got != v.Want {
			t.Errorf("%s %s: %s, want %s", v.Method, v.URL, got, v.Want)
		}
	}
}

// captureRT records the request the signer passes on.
type captureRT struct{ got *http.Request }

func (c *captureRT) RoundTrip(r *http.Request) (*http.Response, error) {
	c.got = r
	return &http.Response{StatusCode: 204, Body: http.NoBody, Request: r}, nil
}

// TestSignerSignsTheWireRequest runs the signer on the vectors' requests
// with the vectors' clock: the headers must carry exactly the vector's
// signature, computed over the URL as it goes on the wire.
func TestSignerSignsTheWireRequest(t *testing.T) {
	for _, v := range cloudtest.SCPSignatureVectors {
		tsMillis, err := strconv.ParseInt(v.Timestamp, 10, 64)
		if err != nil {
			t.Fatal(err)
		}
		capture := &captureRT{}
		s := &signer{
			base:  capture,
			creds: credentials{accessKey: v.AccessKey, secretKey: v.SecretKey, accountID: v.AccountID},
			now:   func() time.Time { return time.UnixMilli(tsMillis) },
		}
		req, err := http.NewRequest(v.Method, v.URL, nil)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.RoundTrip(req); err != nil {
			t.Fatal(err)
		}
		h := capture.got.Header
		want := map[string]string{
			"Scp-Accesskey":   v.AccessKey,
			"Scp-Timestamp":   v.Timestamp,
			"Scp-Clienttype":  "Openapi",
			"Scp-Accountid":   v.AccountID,
			"Accept-Language": "en-US",
			"Scp-Signature":   v.Want,
		}
		for k, w := range want {
			if got := h.Get(k); got != w {
				t.Errorf("%s %s: header %s = %q, want %q", v.Method, v.URL, k, got, w)
			}
		}
		if _, ok := h["Scp-Accountid"]; !ok {
			t.Errorf("Scp-AccountId not sent (the SDK always sends it, empty or not)")
		}
		if req.Header.Get("Scp-Signature") != "" {
			t.Errorf("the caller's request was modified")
		}
		if h.Get(headerSignature) == "" || len(h.Values(headerSignature)) != 1 {
			t.Errorf("signature header %v", h.Values(headerSignature))
		}
	}
}

func TestSignedURL(t *testing.T) {
	tests := []struct {
		url, host, want string
	}{
		{url: "https://h.example/v1/images?limit=1", want: "https://h.example/v1/images?limit=1"},
		{url: "http://127.0.0.1:8080/scp/virtualserver/v1/images/a%2Fb", want: "http://127.0.0.1:8080/scp/virtualserver/v1/images/a%2Fb"},
		{url: "https://h.example/v1/servers/x/images", host: "proxy.example", want: "https://proxy.example/v1/servers/x/images"},
	}
	for _, tc := range tests {
		r, err := http.NewRequest(http.MethodGet, tc.url, nil)
		if err != nil {
			t.Fatal(err)
		}
		if tc.host != "" {
			r.Host = tc.host
		}
		if got := signedURL(r); got != tc.want {
			t.Errorf("signedURL(%s) = %s, want %s", tc.url, got, tc.want)
		}
	}
}
