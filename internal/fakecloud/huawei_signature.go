package fakecloud

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"
)

// The gateway's side of SDK-HMAC-SHA256 (cloud-apis.md §5): rebuild the
// canonical request from what arrived and compare signatures. Written apart
// from the driver's signer on purpose, so that the driver is tested against
// the protocol and not against itself; both are pinned to the same
// independently computed vectors.

const (
	huaweiSigAlgorithm = "SDK-HMAC-SHA256"
	huaweiDateLayout   = "20060102T150405Z"
	// huaweiMaxSkew is how far X-Sdk-Date may be from the gateway's clock.
	huaweiMaxSkew = 15 * time.Minute
	// huaweiUnsignedPayload in X-Sdk-Content-Sha256 replaces the body hash.
	huaweiUnsignedPayload = "UNSIGNED-PAYLOAD"
)

// huaweiAuthHeader is a parsed Authorization header.
type huaweiAuthHeader struct {
	accessKey     string
	signedHeaders []string
	signature     string
}

// Why a signature is refused.
var (
	errSigMalformed = errors.New("malformed Authorization header")
	errSigNoDate    = errors.New("X-Sdk-Date missing, unreadable or not signed")
	errSigExpired   = errors.New("signature expired")
	errSigMismatch  = errors.New("signature mismatch")
)

func parseHuaweiAuthorization(v string) (huaweiAuthHeader, error) {
	rest, ok := strings.CutPrefix(v, huaweiSigAlgorithm+" ")
	if !ok {
		return huaweiAuthHeader{}, errSigMalformed
	}
	var h huaweiAuthHeader
	for _, part := range strings.Split(rest, ",") {
		k, val, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok {
			return huaweiAuthHeader{}, errSigMalformed
		}
		switch k {
		case "Access":
			h.accessKey = val
		case "SignedHeaders":
			h.signedHeaders = strings.Split(val, ";")
		case "Signature":
			h.signature = val
		}
	}
	if h.accessKey == "" || len(h.signedHeaders) == 0 || h.signature == "" {
		return huaweiAuthHeader{}, errSigMalformed
	}
	return h, nil
}

// huaweiEscape keeps RFC 3986 unreserved bytes and percent-encodes the
// rest in upper-case hex.
func huaweiEscape(s string) string {
	var b strings.Builder
	for _, c := range []byte(s) {
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("-_.~", c) >= 0 {
			b.WriteByte(c)
		} else {
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	return b.String()
}

// huaweiCanonicalRequest rebuilds the canonical request of r from the
// headers the client says it signed.
func huaweiCanonicalRequest(r *http.Request, signed []string, bodyHash string) string {
	var uri []string
	for _, seg := range strings.Split(r.URL.Path, "/") {
		uri = append(uri, huaweiEscape(seg))
	}
	path := strings.Join(uri, "/")
	if !strings.HasSuffix(path, "/") {
		path += "/"
	}
	type pair struct{ k, v string }
	var pairs []pair
	for k, vs := range r.URL.Query() {
		for _, v := range vs {
			pairs = append(pairs, pair{huaweiEscape(k), huaweiEscape(v)})
		}
	}
	// By escaped key, then by escaped value. Sorting the joined "k=v"
	// strings would not do: '-', '.', '%' and digits sort before '='.
	slices.SortFunc(pairs, func(a, b pair) int {
		if c := strings.Compare(a.k, b.k); c != 0 {
			return c
		}
		return strings.Compare(a.v, b.v)
	})
	query := make([]string, 0, len(pairs))
	for _, p := range pairs {
		query = append(query, p.k+"="+p.v)
	}
	var headers strings.Builder
	for _, name := range signed {
		v := strings.Join(r.Header.Values(name), ",")
		if name == "host" {
			v = r.Host
		}
		headers.WriteString(name + ":" + strings.TrimSpace(v) + "\n")
	}
	return strings.Join([]string{r.Method, path, strings.Join(query, "&"), headers.String(), strings.Join(signed, ";"), bodyHash}, "\n")
}

// verifyHuaweiSignature checks r (whose body has been read into body)
// against the secret key at the gateway time now.
func verifyHuaweiSignature(r *http.Request, h huaweiAuthHeader, body []byte, secretKey string, now time.Time) error {
	date := r.Header.Get("X-Sdk-Date")
	t, err := time.Parse(huaweiDateLayout, date)
	if err != nil || !slices.Contains(h.signedHeaders, "x-sdk-date") {
		return errSigNoDate
	}
	if skew := now.Sub(t); skew > huaweiMaxSkew || skew < -huaweiMaxSkew {
		return errSigExpired
	}
	bodyHash := r.Header.Get("X-Sdk-Content-Sha256")
	if bodyHash != huaweiUnsignedPayload {
		sum := sha256.Sum256(body)
		bodyHash = hex.EncodeToString(sum[:])
	}
	canonical := huaweiCanonicalRequest(r, h.signedHeaders, bodyHash)
	crHash := sha256.Sum256([]byte(canonical))
	sts := huaweiSigAlgorithm + "\n" + date + "\n" + hex.EncodeToString(crHash[:])
	mac := hmac.New(sha256.New, []byte(secretKey))
	mac.Write([]byte(sts))
	want := hex.EncodeToString(mac.Sum(nil))
	if !hmac.Equal([]byte(want), []byte(strings.ToLower(h.signature))) {
		return errSigMismatch
	}
	return nil
}
