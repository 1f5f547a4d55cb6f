package cloud

import (
	"bytes"
	"encoding/json"
	"html"
	"regexp"
	"sort"
	"strings"
)

// ErrorBody is what an error response says about itself. The OpenStack
// family disagrees on the shape, so one parser reads them all:
//
//   - Nova and Rackspace faults: {"<name>":{"code":N,"message":"…","details":"…"}}
//   - Keystone: {"error":{"code":401,"title":"Unauthorized","message":"…"}}
//   - Glance (webob JSON): {"code":"404 Not Found","title":"Not Found","message":"…"}
//   - Huawei-style flat bodies: {"error_code":"…","error_msg":"…"}
//   - API-SIG lists: {"errors":[{"title":"…","detail":"…"}]}
//   - webob text or HTML pages (Glance without a JSON formatter).
type ErrorBody struct {
	// Name is the fault name ("itemNotFound", "conflictingRequest") or the
	// title of a Keystone or Glance error.
	Name string
	// Code is the body's own code as sent ("409", "404 Not Found").
	Code string
	// Message is the cloud's human-readable explanation, cleaned of HTML
	// and whitespace runs, and bounded in length.
	Message string
	Details string
	// RetryAfter and RetryAt are the body's rate-limit hints as sent
	// (Nova copies Retry-After into retryAfter; Rackspace sends retryAt).
	RetryAfter string
	RetryAt    string
}

// maxMessageLen bounds messages taken from bodies: they end up in
// conditions and events, and an HTML error page can be large.
const maxMessageLen = 512

// ParseErrorBody extracts the message and retry hints from an error
// response body. It never fails: an unreadable body gives its cleaned text
// as the message, an empty body an empty ErrorBody.
func ParseErrorBody(body []byte) ErrorBody {
	trimmed := bytes.TrimSpace(body)
	if len(trimmed) == 0 {
		return ErrorBody{}
	}
	if trimmed[0] == '{' {
		var top map[string]json.RawMessage
		if err := json.Unmarshal(trimmed, &top); err == nil {
			if b, ok := parseJSONErrorBody(top); ok {
				return b
			}
		}
	}
	return ErrorBody{Message: cleanTextBody(string(trimmed))}
}

func parseJSONErrorBody(top map[string]json.RawMessage) (ErrorBody, bool) {
	var b ErrorBody
	// Flat bodies first: Glance's webob JSON and the Huawei shape carry the
	// message at the top level.
	if msg := firstString(top, "message", "error_msg", "error_description", "detail"); msg != "" {
		b.Message = cleanMessage(msg)
		b.Code = firstString(top, "code", "error_code")
		b.Name = firstString(top, "title")
		b.Details = cleanMessage(firstString(top, "details"))
		b.RetryAfter = firstString(top, "retryAfter")
		b.RetryAt = firstString(top, "retryAt")
		return b, true
	}
	if s := firstString(top, "error"); s != "" {
		b.Message = cleanMessage(s)
		return b, true
	}
	if raw, ok := top["errors"]; ok {
		var list []map[string]json.RawMessage
		if json.Unmarshal(raw, &list) == nil && len(list) > 0 {
			e := list[0]
			b.Name = firstString(e, "title")
			b.Code = firstString(e, "code", "status")
			b.Message = cleanMessage(firstString(e, "detail", "message", "title"))
			return b, b.Message != ""
		}
	}
	// Wrapped fault: one key naming the fault, an object under it. Keys are
	// visited in order so that a body with extra keys parses the same way
	// every time.
	keys := make([]string, 0, len(top))
	for k := range top {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		var inner map[string]json.RawMessage
		if json.Unmarshal(top[k], &inner) != nil {
			continue
		}
		msg := firstString(inner, "message", "error_msg", "msg", "details")
		if msg == "" {
			continue
		}
		b.Name = k
		if t := firstString(inner, "title"); t != "" && k == "error" {
			b.Name = t
		}
		b.Code = firstString(inner, "code", "error_code")
		b.Message = cleanMessage(msg)
		b.Details = cleanMessage(firstString(inner, "details"))
		b.RetryAfter = firstString(inner, "retryAfter")
		b.RetryAt = firstString(inner, "retryAt")
		if b.RetryAfter == "" {
			b.RetryAfter = firstString(top, "retryAfter")
		}
		if b.RetryAt == "" {
			b.RetryAt = firstString(top, "retryAt")
		}
		return b, true
	}
	return b, false
}

// firstString returns the first of keys whose value is a JSON string or
// number, as a string: codes and retry hints come in both forms.
func firstString(m map[string]json.RawMessage, keys ...string) string {
	for _, k := range keys {
		raw, ok := m[k]
		if !ok {
			continue
		}
		var s string
		if json.Unmarshal(raw, &s) == nil {
			if s != "" {
				return s
			}
			continue
		}
		var n json.Number
		if json.Unmarshal(raw, &n) == nil {
			return n.String()
		}
	}
	return ""
}

var (
	htmlTag    = regexp.MustCompile(`(?s)<[^>]*>`)
	htmlHead   = regexp.MustCompile(`(?is)<head>.*?</head>|<title>.*?</title>`)
	statusLine = regexp.MustCompile(`^[1-5][0-9][0-9] [A-Za-z][A-Za-z '-]*$`)
)

// cleanMessage turns a message that may carry HTML fragments (Glance adds
// "<br /><br />") into one readable line.
func cleanMessage(s string) string {
	if s == "" {
		return ""
	}
	s = htmlTag.ReplaceAllString(s, " ")
	s = html.UnescapeString(s)
	s = strings.Join(strings.Fields(s), " ")
	return truncate(s)
}

// cleanTextBody reads a webob text or HTML error page. The status line
// ("404 Not Found") repeats what HTTPStatus already says, so it is dropped
// when there is anything else to say.
func cleanTextBody(s string) string {
	s = htmlHead.ReplaceAllString(s, "\n")
	s = htmlTag.ReplaceAllString(s, "\n")
	s = html.UnescapeString(s)
	var lines []string
	for _, l := range strings.Split(s, "\n") {
		l = strings.Join(strings.Fields(l), " ")
		if l != "" {
			lines = append(lines, l)
		}
	}
	// A lone word after it is a server signature ("nginx"), not an
	// explanation: then the status line is all there is to say.
	if len(lines) > 1 && statusLine.MatchString(lines[0]) && strings.Contains(strings.Join(lines[1:], " "), " ") {
		lines = lines[1:]
	}
	return truncate(strings.Join(lines, " "))
}

func truncate(s string) string {
	if len(s) <= maxMessageLen {
		return s
	}
	cut := maxMessageLen
	for cut > 0 && !isRuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}

func isRuneStart(b byte) bool { return b&0xC0 != 0x80 }
