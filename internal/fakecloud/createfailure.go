package fakecloud

import (
	"errors"
	"fmt"
	"net/http"
)

// writeNovaCreateFailure answers a failed createSnapshot the way Nova's
// createImage does, in dialect d (Nova, Rackspace, Huawei ECS): 404 for an
// unknown server, 409 naming the state that refuses, 500 otherwise. It
// reports whether there was a failure to answer.
func writeNovaCreateFailure(w http.ResponseWriter, d dialect, serverID string, err error) bool {
	var conflict *stateConflict
	switch {
	case err == nil:
		return false
	case errors.Is(err, errServerNotFound):
		msg := fmt.Sprintf("Instance %s could not be found.", serverID)
		if d == dialectRackspace {
			msg = "Instance could not be found"
		}
		writeError(w, d, http.StatusNotFound, msg, "")
	case errors.As(err, &conflict):
		writeError(w, d, http.StatusConflict, fmt.Sprintf(
			"Cannot 'createImage' instance %s while it is in %s %s", serverID, conflict.Attr, conflict.State), "")
	default:
		writeError(w, d, http.StatusInternalServerError, err.Error(), "")
	}
	return true
}
