package fakecloud

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"net/url"
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

// huaweiQueryPairs decodes the query as it arrived, pair by pair, by
// RFC 3986 rules: %XX is decoded, '+' stays a plus. Huawei's clients
// never send '+' for a space (the SDK writes %20, the gateway sample sends
// the canonical query itself); reading '+' as a literal plus makes a
// client that does fail here, instead of depending on how a real gateway
// happens to read it. A key without '=' has an empty value.
func huaweiQueryPairs(raw string) ([][2]string, error) {
	var pairs [][2]string
	for _, piece := range strings.Split(raw, "&") {
		if piece == "" {
			continue
		}
		k, v, _ := strings.Cut(piece, "=")
		dk, err := url.PathUnescape(k)
		if err != nil {
			return pairs, fmt.Errorf("query key %q: %w", k, err)
		}
		dv, err := url.PathUnescape(v)
		if err != nil {
			return pairs, fmt.Errorf("query value %q: %w", v, err)
		}
		pairs = append(pairs, [2]string{dk, dv})
	}
	return pairs, nil
}

// huaweiQuery is the query as the gateway reads it (see huaweiQueryPairs),
// for the services behind it: they must see the values that were signed.
func huaweiQuery(raw string) (url.Values, error) {
	pairs, err := huaweiQueryPairs(raw)
	q := url.Values{}
	for _, p := range pairs {
		q.Add(p[0], p[1])
	}
	return q, err
}

// huaweiCanonicalRequest rebuilds the canonical request of r from the
// headers the client says it signed. A query piece that does not decode is
// left out; verifyHuaweiSignature has refused such a request already.
func huaweiCanonicalRequest(r *http.Request, signed []string, bodyHash string) string {
	var uri []string
	for _, seg := range strings.Split(r.URL.Path, "/") {
		uri = append(uri, huaweiEscape(seg))
	}
	path := strings.Join(uri, "/")
	if !strings.HasSuffix(path, "/") {
		path += "/"
	}
	pairs, _ := huaweiQueryPairs(r.URL.RawQuery)
	// By raw key, then by raw value, escaping only afterwards, as Huawei's
	// SDK signer and gateway sample order them. Sorting the escaped forms,
	// or the joined "k=v" strings, orders differently ('%' sorts before
	// digits and letters, '=' after '-' and '.').
	slices.SortFunc(pairs, func(a, b [2]string) int {
		if c := strings.Compare(a[0], b[0]); c != 0 {
			return c
		}
		return strings.Compare(a[1], b[1])
	})
	query := make([]string, 0, len(pairs))
	for _, p := range pairs {
		query = append(query, huaweiEscape(p[0])+"="+huaweiEscape(p[1]))
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
	if _, err := huaweiQueryPairs(r.URL.RawQuery); err != nil {
		return fmt.Errorf("%w: %w", errSigMismatch, err)
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
