package fakecloud

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
)

// readJSONBody decodes the request body (at most 1 MiB) into v. The body
// is put back for what runs after (the Huawei gateway hashes it to check
// the signature).
func readJSONBody(r *http.Request, v any) error {
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	r.Body = io.NopCloser(bytes.NewReader(body))
	if err != nil {
		return err
	}
	return json.Unmarshal(body, v)
}

// readServerAction reads the body of POST servers/{id}/action, which names
// the action and so decides the op the call is counted as.
func readServerAction(r *http.Request) (map[string]json.RawMessage, error) {
	var action map[string]json.RawMessage
	err := readJSONBody(r, &action)
	return action, err
}

// writeUnknownAction is Nova's answer to an action body it cannot read or
// an action it does not have (the only one simulated is createImage).
func writeUnknownAction(w http.ResponseWriter, d dialect, action map[string]json.RawMessage, err error) {
	if err != nil {
		writeError(w, d, http.StatusBadRequest, "Malformed request body", "")
		return
	}
	name := "None"
	for k := range action {
		name = k
	}
	writeError(w, d, http.StatusBadRequest, "There is no such action: "+name, "")
}
