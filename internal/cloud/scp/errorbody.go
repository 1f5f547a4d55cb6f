package scp

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"

	"github.com/serverimage-operator/serverimage-operator/internal/cloud"
)

// maxMessageLen bounds a message taken from a body: it ends up in
// conditions and events.
const maxMessageLen = 512

// errorMessage reads the message out of an SCP error body. The API
// reference documents no error schema and testers report at least three
// envelopes, so every shape seen or documented is tried:
//
//   - {"errors":[{"code":"…","detail":"…"}]}, detail also as a list of
//     strings (what Samsung's Terraform provider parses);
//   - a bare list of validation errors [{"loc":[…],"msg":"…","type_":"…"}]
//     (the documented 400 schema), also under "detail" or "errors";
//   - a Spring-style envelope {"status":404,"error":"Not Found",
//     "message":"…","path":"…"} (seen for unauthenticated requests);
//   - anything else the shared parser understands, or the cleaned text.
//
// Several errors are joined with "; ". The error code is appended in
// parentheses when there is one, since SCP codes name the failing rule.
func errorMessage(body []byte) string {
	trimmed := bytes.TrimSpace(body)
	if len(trimmed) == 0 {
		return ""
	}
	var v any
	if json.Unmarshal(trimmed, &v) == nil {
		if msg := messageOf(v); msg != "" {
			return clean(msg)
		}
	}
	return cloud.ParseErrorBody(trimmed).Message
}

// messageOf finds the message in a decoded body, or "".
func messageOf(v any) string {
	switch t := v.(type) {
	case []any:
		return joinItems(t)
	case map[string]any:
		for _, k := range []string{"errors", "detail"} {
			switch inner := t[k].(type) {
			case []any:
				if msg := joinItems(inner); msg != "" {
					return msg
				}
			case string:
				if inner != "" {
					return withCode(inner, t)
				}
			}
		}
		// Spring's default envelope says "No message available" when it
		// has nothing to say; the reason phrase is better then.
		if m, _ := t["message"].(string); m != "" && m != "No message available" {
			return withCode(m, t)
		}
		for _, k := range []string{"msg", "error"} {
			if m, _ := t[k].(string); m != "" {
				return m
			}
		}
	}
	return ""
}

func joinItems(items []any) string {
	var parts []string
	for _, it := range items {
		if msg := itemMessage(it); msg != "" {
			parts = append(parts, msg)
		}
	}
	return strings.Join(parts, "; ")
}

// itemMessage is the message of one entry of an error list.
func itemMessage(it any) string {
	switch t := it.(type) {
	case string:
		return t
	case map[string]any:
		var msg string
		switch d := t["detail"].(type) {
		case string:
			msg = d
		case []any:
			msg = joinItems(d)
		}
		for _, k := range []string{"message", "msg", "title"} {
			if msg != "" {
				break
			}
			msg, _ = t[k].(string)
		}
		if msg == "" {
			return ""
		}
		if loc := locOf(t["loc"]); loc != "" {
			msg = loc + ": " + msg
		}
		return withCode(msg, t)
	}
	return ""
}

// locOf renders a validation error location (["body","image_name"]).
func locOf(v any) string {
	list, ok := v.([]any)
	if !ok {
		return ""
	}
	parts := make([]string, 0, len(list))
	for _, p := range list {
		switch s := p.(type) {
		case string:
			parts = append(parts, s)
		case float64:
			parts = append(parts, strconv.FormatFloat(s, 'f', -1, 64))
		}
	}
	return strings.Join(parts, ".")
}

// withCode appends a string error code ("scp-…") to msg; numeric codes
// repeat the HTTP status and are left out.
func withCode(msg string, m map[string]any) string {
	if code, ok := m["code"].(string); ok && code != "" && !strings.Contains(msg, code) {
		return msg + " (" + code + ")"
	}
	return msg
}

// clean makes one bounded line of a message.
func clean(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) <= maxMessageLen {
		return s
	}
	cut := maxMessageLen
	for cut > 0 && s[cut]&0xC0 == 0x80 {
		cut--
	}
	return s[:cut] + "…"
}
