package scp

import (
	"net/http"
	"strconv"
	"testing"
	"time"
)

// The expected signatures were computed once, outside Go, with Python's
// standard library, from the inputs below:
//
//	base64.b64encode(hmac.new(secret.encode(), (method+url+ts+ak+account+"Openapi").encode(),
//	                          hashlib.sha256).digest())
//
// An independent implementation is the point: a vector produced by this
// package's own code would only prove that it agrees with itself. The
// simulator's verifier is checked against the same vectors.
var signatureVectors = []struct {
	method, url, ts, ak, sk, account string
	want                             string
}{
	{
		method: "POST", url: "https://virtualserver.kr-west1.e.samsungsdscloud.com/v1/servers/2a9be312-5d4b-4bc8-b2ae-35100fa9241f/images",
		ts: "1605290625682", ak: "AKexample0123456789", sk: "SKexample-secret-key-0001", account: "",
		want: "8jKSOx4tnJMQM2g9k66ne92chLWyeJecSpr/WunY2c4=",
	},
	{
		method: "GET", url: "https://virtualserver.kr-east1.s.samsungsdscloud.com/v1/images?limit=100&name=web+golden-3f2a9c1e",
		ts: "1763888849000", ak: "AKexample0123456789", sk: "SKexample-secret-key-0001", account: "acct-42",
		want: "vi5aki3aP8fbaoDdt8wNBRVTI2GSb/Ysjdn/79GqZyM=",
	},
}

func TestSignatureVectors(t *testing.T) {
	for _, v := range signatureVectors {
		if got := signature(v.sk, v.method, v.url, v.ts, v.ak, v.account); got != v.want {
			t.Errorf("%s %s: %s, want %s", v.method, v.url, got, v.want)
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
	for _, v := range signatureVectors {
		tsMillis, err := strconv.ParseInt(v.ts, 10, 64)
		if err != nil {
			t.Fatal(err)
		}
		capture := &captureRT{}
		s := &signer{
			base:  capture,
			creds: credentials{accessKey: v.ak, secretKey: v.sk, accountID: v.account},
			now:   func() time.Time { return time.UnixMilli(tsMillis) },
		}
		req, err := http.NewRequest(v.method, v.url, nil)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.RoundTrip(req); err != nil {
			t.Fatal(err)
		}
		h := capture.got.Header
		want := map[string]string{
			"Scp-Accesskey":   v.ak,
			"Scp-Timestamp":   v.ts,
			"Scp-Clienttype":  "Openapi",
			"Scp-Accountid":   v.account,
			"Accept-Language": "en-US",
			"Scp-Signature":   v.want,
		}
		for k, w := range want {
			if got := h.Get(k); got != w {
				t.Errorf("%s %s: header %s = %q, want %q", v.method, v.url, k, got, w)
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
