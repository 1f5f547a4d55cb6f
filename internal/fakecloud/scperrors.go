package fakecloud

import (
	"net/http"
	"strings"
)

// scpError answers with SCP's error list, the shape Samsung's Terraform
// provider parses: {"errors":[{"code":"…","detail":"…"}]}.
func scpError(w http.ResponseWriter, status int, code, msg string) {
	writeJSON(w, status, map[string]any{"errors": []any{map[string]any{"code": code, "detail": msg}}})
}

// scpWriteFault is the error format of injected faults. SCP documents no
// Retry-After; the header is sent when a fault asks for one, so that the
// client's handling of a rate limit can be tested.
func scpWriteFault(w http.ResponseWriter, status int, msg, retryAfter string) {
	if retryAfter != "" {
		w.Header().Set("Retry-After", retryAfter)
	}
	scpError(w, status, scpFaultCode(status), msg)
}

// scpFaultCode names an injected fault after its status, in SCP's dotted
// style ("scp-virtualserver.too-many-requests").
func scpFaultCode(status int) string {
	text := strings.ToLower(http.StatusText(status))
	if text == "" {
		text = "error"
	}
	return "scp-virtualserver." + strings.NewReplacer(" ", "-", "'", "").Replace(text)
}

// scpValidation answers 400 with the documented validation body: a bare
// list of {"loc","msg","type_"} entries. The messages follow pydantic's
// wording, which the field names ("type_", "ctx") suggest SCP uses.
func scpValidation(w http.ResponseWriter, loc []string, msg, typ string) {
	writeJSON(w, http.StatusBadRequest, []any{map[string]any{"loc": loc, "msg": msg, "type_": typ, "ctx": map[string]any{}}})
}
