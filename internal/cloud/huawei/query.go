package huawei

import (
	"net/url"
	"sort"
	"strings"
)

// canonicalQuery is the query both as signed and as sent. Huawei's Go SDK
// (core/auth/signer) and its API gateway signing sample agree on the
// order: keys sorted as they are (not lower-cased, not escaped), each
// key's values sorted as they are, and only then every key and value
// escaped. Sorting after escaping orders differently whenever escaping
// changes how two strings compare ("a:" sorts after "a0" raw, but "a%3A"
// sorts before it; "é" after "z" raw, "%C3%A9" before "a").
//
// The same string goes on the wire. url.Values.Encode would send a space
// as '+', which the SDK never sends and a gateway reading the query as RFC
// 3986 takes for a literal plus: a name with a space would then be signed
// one way and checked another.
func canonicalQuery(q url.Values) string {
	keys := make([]string, 0, len(q))
	for k := range q {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var parts []string
	for _, k := range keys {
		vs := append([]string(nil), q[k]...)
		sort.Strings(vs)
		for _, v := range vs {
			parts = append(parts, escape(k)+"="+escape(v))
		}
	}
	return strings.Join(parts, "&")
}
