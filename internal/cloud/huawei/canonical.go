package huawei

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"sort"
	"strings"
)

// The canonical forms below follow SDK-HMAC-SHA256 as Huawei's Go SDK
// signer (core/auth/signer) and its API gateway signing sample compute it.
// They are pure functions of the request so that the test vectors
// (computed independently, see signer_test.go) pin them down.

// signAlgorithm names the scheme in the Authorization header and is the
// first line of the string to sign.
const signAlgorithm = "SDK-HMAC-SHA256"

// sdkDateFormat is the X-Sdk-Date layout (basic ISO 8601, UTC).
const sdkDateFormat = "20060102T150405Z"

// escape percent-encodes everything but the RFC 3986 unreserved set, with
// upper-case hex, byte by byte. url.PathEscape and url.QueryEscape do not
// fit: they keep sub-delimiters or turn spaces into '+', and the gateway
// rebuilds the canonical request with this stricter rule.
func escape(s string) string {
	var b strings.Builder
	const hexDigits = "0123456789ABCDEF"
	for i := 0; i < len(s); i++ {
		c := s[i]
		if isUnreserved(c) {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hexDigits[c>>4])
		b.WriteByte(hexDigits[c&0x0f])
	}
	return b.String()
}

func isUnreserved(c byte) bool {
	return 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' ||
		c == '-' || c == '_' || c == '.' || c == '~'
}

// canonicalURI escapes each segment of the decoded path and always ends in
// "/" (the gateway signs "/v2/images/x/" for "/v2/images/x").
func canonicalURI(path string) string {
	segs := strings.Split(path, "/")
	for i, s := range segs {
		segs[i] = escape(s)
	}
	u := strings.Join(segs, "/")
	if !strings.HasSuffix(u, "/") {
		u += "/"
	}
	return u
}

// canonicalHeaders renders the signed headers ("name:value\n" each, names
// lower-case and sorted) and their ";"-joined list. values is keyed by
// lower-case name.
func canonicalHeaders(values map[string]string) (block, signed string) {
	names := make([]string, 0, len(values))
	for n := range values {
		names = append(names, n)
	}
	sort.Strings(names)
	var b strings.Builder
	for _, n := range names {
		b.WriteString(n)
		b.WriteByte(':')
		b.WriteString(strings.TrimSpace(values[n]))
		b.WriteByte('\n')
	}
	return b.String(), strings.Join(names, ";")
}

// canonicalRequest joins the parts with newlines; query is already in
// canonical form (canonicalQuery). The header block ends in "\n" itself,
// so an empty line separates it from the signed header list.
func canonicalRequest(method, path, query string, headers map[string]string, body []byte) (string, string) {
	block, signed := canonicalHeaders(headers)
	sum := sha256.Sum256(body)
	return strings.Join([]string{
		method,
		canonicalURI(path),
		query,
		block,
		signed,
		hex.EncodeToString(sum[:]),
	}, "\n"), signed
}

// stringToSign is the algorithm, the X-Sdk-Date value and the hex SHA-256
// of the canonical request.
func stringToSign(canonical, sdkDate string) string {
	sum := sha256.Sum256([]byte(canonical))
	return signAlgorithm + "\n" + sdkDate + "\n" + hex.EncodeToString(sum[:])
}

// signature is hex(HMAC-SHA256(secret key, string to sign)).
func signature(secretKey, sts string) string {
	m := hmac.New(sha256.New, []byte(secretKey))
	m.Write([]byte(sts))
	return hex.EncodeToString(m.Sum(nil))
}

// authorization is the Authorization header value.
func authorization(accessKey, signedHeaders, sig string) string {
	return signAlgorithm + " Access=" + accessKey + ", SignedHeaders=" + signedHeaders + ", Signature=" + sig
}
