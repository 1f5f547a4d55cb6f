package fakecloud

import (
	"errors"
	"fmt"
	"net/http"
)

// writeNovaCreateFailure answers a failed createSnapshot the way Nova's
// createImage does, in dialect d (Nova, Rackspace, Huawei ECS). It
// reports whether there was a failure to answer.
func writeNovaCreateFailure(w http.ResponseWriter, d dialect, serverID string, err error) bool {
	if err == nil {
		return false
	}
	notFound := fmt.Sprintf("Instance %s could not be found.", serverID)
	if d == dialectRackspace {
		notFound = "Instance could not be found"
	}
	writeNovaActionFailure(w, d, serverID, "createImage", notFound, err)
	return true
}

// writeNovaActionFailure is Nova's answer to a server action the store
// refused: 404 with notFound for an unknown server, 409 naming the state
// that refuses, 500 otherwise.
func writeNovaActionFailure(w http.ResponseWriter, d dialect, serverID, action, notFound string, err error) {
	var conflict *stateConflict
	switch {
	case errors.Is(err, errServerNotFound):
		writeError(w, d, http.StatusNotFound, notFound, "")
	case errors.As(err, &conflict):
		writeError(w, d, http.StatusConflict, fmt.Sprintf(
			"Cannot '%s' instance %s while it is in %s %s", action, serverID, conflict.Attr, conflict.State), "")
	default:
		writeError(w, d, http.StatusInternalServerError, err.Error(), "")
	}
}
