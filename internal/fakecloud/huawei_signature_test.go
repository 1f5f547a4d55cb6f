package fakecloud

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// huaweiVector is a request with its expected canonical form and
// signature, computed once by internal/cloud/huawei/testdata/
// signature_vectors.py (Python hashlib/hmac, written from the algorithm as
// Huawei's SDK signer and gateway sample apply it, sharing no code with
// this package) and pasted here.
type huaweiVector struct {
	name, method, target string
	headers              map[string]string
	body                 string
	canonical            string
	authorization        string
}

const (
	vecAK = "HPUAEXAMPLE7AK2026QX"
	vecSK = "exAmpleSecretKeyForTests0123456789abcdEF"
)

var huaweiVectors = []huaweiVector{
	{
		name:   "list with repeated, escaped query values",
		method: "GET",
		target: "https://ims.cn-north-4.myhuaweicloud.com/v2/cloudimages?__imagetype=private&name=web%20golden~%C3%A9-1a2b3c4d&limit=1&name=a%2Bb",
		headers: map[string]string{"Content-Type": "application/json", "X-Project-Id": "0a1b2c3d4e5f60718293a4b5c6d7e8f9",
			"X-Sdk-Date": "20260716T101112Z"},
		canonical: "GET\n/v2/cloudimages/\n__imagetype=private&limit=1&name=a%2Bb&name=web%20golden~%C3%A9-1a2b3c4d\n" +
			"content-type:application/json\nhost:ims.cn-north-4.myhuaweicloud.com\nx-project-id:0a1b2c3d4e5f60718293a4b5c6d7e8f9\nx-sdk-date:20260716T101112Z\n\n" +
			"content-type;host;x-project-id;x-sdk-date\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
		authorization: "SDK-HMAC-SHA256 Access=HPUAEXAMPLE7AK2026QX, SignedHeaders=content-type;host;x-project-id;x-sdk-date, Signature=a7f3d9658f343330895813ad45d0b0ecfc6f4483cf0934fde1374a850d91633c",
	},
	{
		name:   "createImage with a body and a security token",
		method: "POST",
		target: "https://ecs.cn-north-4.myhuaweicloud.com/v2.1/0a1b2c3d4e5f60718293a4b5c6d7e8f9/servers/3f1e0c2a-9b8d-4e7f-a6b5-c4d3e2f1a0b9/action",
		headers: map[string]string{"Content-Type": "application/json", "X-Project-Id": "0a1b2c3d4e5f60718293a4b5c6d7e8f9",
			"X-Sdk-Date": "20260716T235959Z", "X-Security-Token": "  tmp-token-AbC/+=  "},
		body: `{"createImage":{"metadata":{"serverimage_uid":"1a2b3c4d-0000-4000-8000-000000000001"},"name":"web-golden-1a2b3c4d"}}`,
		canonical: "POST\n/v2.1/0a1b2c3d4e5f60718293a4b5c6d7e8f9/servers/3f1e0c2a-9b8d-4e7f-a6b5-c4d3e2f1a0b9/action/\n\n" +
			"content-type:application/json\nhost:ecs.cn-north-4.myhuaweicloud.com\nx-project-id:0a1b2c3d4e5f60718293a4b5c6d7e8f9\nx-sdk-date:20260716T235959Z\nx-security-token:tmp-token-AbC/+=\n\n" +
			"content-type;host;x-project-id;x-sdk-date;x-security-token\n0efde81c6bcc1595e1b2705af6d99ef09ec611848164f9d3ad161943f951c3a3",
		authorization: "SDK-HMAC-SHA256 Access=HPUAEXAMPLE7AK2026QX, SignedHeaders=content-type;host;x-project-id;x-sdk-date;x-security-token, Signature=64bfbfe4e9c3969663c513ab6c5118dc42cc0dca9e86c0e9a028260495c87aed",
	},
	{
		name:    "keys and values whose raw and escaped orders differ, in scrambled wire order",
		method:  "GET",
		target:  "https://ims.cn-north-4.myhuaweicloud.com/v2/cloudimages?name=%C3%A9&name=a&name=a0&name=a%3A&Name=Z&k%3A=1&k0=2",
		headers: map[string]string{"X-Project-Id": "0a1b2c3d4e5f60718293a4b5c6d7e8f9", "X-Sdk-Date": "20260716T101112Z"},
		canonical: "GET\n/v2/cloudimages/\nName=Z&k0=2&k%3A=1&name=a&name=a0&name=a%3A&name=%C3%A9\n" +
			"host:ims.cn-north-4.myhuaweicloud.com\nx-project-id:0a1b2c3d4e5f60718293a4b5c6d7e8f9\nx-sdk-date:20260716T101112Z\n\n" +
			"host;x-project-id;x-sdk-date\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
		authorization: "SDK-HMAC-SHA256 Access=HPUAEXAMPLE7AK2026QX, SignedHeaders=host;x-project-id;x-sdk-date, Signature=757f66a47c90f39b4ae64defe6c269ca5d9d515c98997a5495c5d7001dfed981",
	},
	{
		name:    "spaces and a plus in an image name, as the SDK sends them",
		method:  "GET",
		target:  "https://ims.cn-north-4.myhuaweicloud.com/v2/cloudimages?__imagetype=private&name=web%20golden%2B1%20image-1a2b3c4d",
		headers: map[string]string{"X-Project-Id": "0a1b2c3d4e5f60718293a4b5c6d7e8f9", "X-Sdk-Date": "20260716T101112Z"},
		canonical: "GET\n/v2/cloudimages/\n__imagetype=private&name=web%20golden%2B1%20image-1a2b3c4d\n" +
			"host:ims.cn-north-4.myhuaweicloud.com\nx-project-id:0a1b2c3d4e5f60718293a4b5c6d7e8f9\nx-sdk-date:20260716T101112Z\n\n" +
			"host;x-project-id;x-sdk-date\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
		authorization: "SDK-HMAC-SHA256 Access=HPUAEXAMPLE7AK2026QX, SignedHeaders=host;x-project-id;x-sdk-date, Signature=702c87d0da47d2cdb4fe03ee5c3ac716078530e97cc35a9a2229d353e73ece97",
	},
	{
		name:          "path segments needing escapes, host with port",
		method:        "DELETE",
		target:        "http://127.0.0.1:8443/v2/images/a%20b/caf%C3%A9~x",
		headers:       map[string]string{"X-Sdk-Date": "20260101T000000Z"},
		canonical:     "DELETE\n/v2/images/a%20b/caf%C3%A9~x/\n\nhost:127.0.0.1:8443\nx-sdk-date:20260101T000000Z\n\nhost;x-sdk-date\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
		authorization: "SDK-HMAC-SHA256 Access=HPUAEXAMPLE7AK2026QX, SignedHeaders=host;x-sdk-date, Signature=7214aaabba706f8f4faaee36b2341b0883ce0a9de628004a3fb1566c00c024be",
	},
}

func TestHuaweiVerifierMatchesIndependentVectors(t *testing.T) {
	for _, v := range huaweiVectors {
		t.Run(v.name, func(t *testing.T) {
			r := httptest.NewRequest(v.method, v.target, strings.NewReader(v.body))
			for k, val := range v.headers {
				r.Header.Set(k, val)
			}
			r.Header.Set("Authorization", v.authorization)
			h, err := parseHuaweiAuthorization(v.authorization)
			if err != nil {
				t.Fatal(err)
			}
			sum := sha256Hex([]byte(v.body))
			if got := huaweiCanonicalRequest(r, h.signedHeaders, sum); got != v.canonical {
				t.Errorf("canonical request\n got %q\nwant %q", got, v.canonical)
			}
			date, _ := time.Parse(huaweiDateLayout, v.headers["X-Sdk-Date"])
			if err := verifyHuaweiSignature(r, h, []byte(v.body), vecSK, date.Add(time.Minute)); err != nil {
				t.Errorf("valid signature refused: %v", err)
			}
		})
	}
}

func TestHuaweiVerifierRefusals(t *testing.T) {
	v := huaweiVectors[1]
	date, _ := time.Parse(huaweiDateLayout, v.headers["X-Sdk-Date"])
	cases := []struct {
		name   string
		change func(h map[string]string, body *string, now *time.Time, auth *string)
		want   error
	}{
		{"wrong secret key", func(_ map[string]string, _ *string, _ *time.Time, auth *string) {
			*auth = strings.Replace(*auth, "Signature=64", "Signature=65", 1)
		}, errSigMismatch},
		{"body changed", func(_ map[string]string, body *string, _ *time.Time, _ *string) { *body += " " }, errSigMismatch},
		{"signed header changed", func(h map[string]string, _ *string, _ *time.Time, _ *string) {
			h["X-Project-Id"] = "ffffffffffffffffffffffffffffffff"
		}, errSigMismatch},
		{"16 minutes late", func(_ map[string]string, _ *string, now *time.Time, _ *string) { *now = date.Add(16 * time.Minute) }, errSigExpired},
		{"16 minutes early", func(_ map[string]string, _ *string, now *time.Time, _ *string) { *now = date.Add(-16 * time.Minute) }, errSigExpired},
		{"14 minutes late is fine", func(_ map[string]string, _ *string, now *time.Time, _ *string) { *now = date.Add(14 * time.Minute) }, nil},
		{"date not signed", func(_ map[string]string, _ *string, _ *time.Time, auth *string) {
			*auth = strings.Replace(*auth, ";x-sdk-date", "", 1)
		}, errSigNoDate},
		{"unsigned payload marker", func(h map[string]string, body *string, _ *time.Time, _ *string) {
			h["X-Sdk-Content-Sha256"] = huaweiUnsignedPayload
			*body = "anything"
		}, errSigMismatch},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			headers := map[string]string{}
			for k, val := range v.headers {
				headers[k] = val
			}
			body, now, auth := v.body, date, v.authorization
			tc.change(headers, &body, &now, &auth)
			r := httptest.NewRequest(v.method, v.target, strings.NewReader(body))
			for k, val := range headers {
				r.Header.Set(k, val)
			}
			h, err := parseHuaweiAuthorization(auth)
			if err != nil {
				t.Fatal(err)
			}
			if err := verifyHuaweiSignature(r, h, []byte(body), vecSK, now); !errors.Is(err, tc.want) {
				t.Errorf("got %v, want %v", err, tc.want)
			}
		})
	}
}

// TestHuaweiVerifierRefusesAQueryOtherThanTheSignedOne sends the vectors'
// signed requests with the query written differently on the wire: a space
// as '+' (what url.Values.Encode writes) or a value changed. Only an
// encoding that decodes to the same pairs, such as another order, passes.
func TestHuaweiVerifierRefusesAQueryOtherThanTheSignedOne(t *testing.T) {
	list, spaces := huaweiVectors[0], huaweiVectors[3]
	cases := []struct {
		name   string
		v      huaweiVector
		target string
		want   error
	}{
		{"space sent as +", spaces, strings.ReplaceAll(spaces.target, "%20", "+"), errSigMismatch},
		{"space sent as + in the list vector", list, strings.Replace(list.target, "web%20golden", "web+golden", 1), errSigMismatch},
		{"value changed", list, strings.Replace(list.target, "limit=1", "limit=2", 1), errSigMismatch},
		{"undecodable escape", list, list.target + "&x=%zz", errSigMismatch},
		{"another order, same pairs", list, strings.Replace(list.target, "__imagetype=private&", "", 1) + "&__imagetype=private", nil},
		{"lower-case hex, same pairs", list, strings.Replace(list.target, "%C3%A9", "%c3%a9", 1), nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := httptest.NewRequest(tc.v.method, tc.target, strings.NewReader(tc.v.body))
			for k, val := range tc.v.headers {
				r.Header.Set(k, val)
			}
			h, err := parseHuaweiAuthorization(tc.v.authorization)
			if err != nil {
				t.Fatal(err)
			}
			date, _ := time.Parse(huaweiDateLayout, tc.v.headers["X-Sdk-Date"])
			if err := verifyHuaweiSignature(r, h, []byte(tc.v.body), vecSK, date); !errors.Is(err, tc.want) {
				t.Errorf("got %v, want %v", err, tc.want)
			}
		})
	}
}

func TestParseHuaweiAuthorization(t *testing.T) {
	for _, bad := range []string{
		"",
		"Bearer abc",
		"SDK-HMAC-SHA256 Access=AK, SignedHeaders=host",
		"SDK-HMAC-SHA256 Access=AK SignedHeaders=host Signature=00",
	} {
		if _, err := parseHuaweiAuthorization(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

func sha256Hex(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}
