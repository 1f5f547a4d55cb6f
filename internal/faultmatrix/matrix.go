// Package faultmatrix is the one source of docs/fault-matrix.md: which
// faults are in the matrix, on which operations, and what the driver
// classifies each as. What the reconcilers then do is internal/policy's
// table, which the document renders and does not restate.
//
// Two tests hold it to the code. The OpenStack driver's fault-matrix test
// injects every fault into the simulator, checks the class the driver
// returns, and renders the document (failing when docs/fault-matrix.md
// differs). A controllers test feeds each class to the reconcilers' failure
// handling and checks the reaction the policy gives. The package imports
// neither, so that both may import it.
package faultmatrix

import (
	"github.com/serverimage-operator/serverimage-operator/internal/policy"
)

// Op is one operation of the cloud.Provider boundary.
type Op string

const (
	OpAuth       Op = "auth"
	OpGetServer  Op = "get server"
	OpCreate     Op = "create"
	OpGetImage   Op = "get image"
	OpFindImages Op = "find images"
	OpDelete     Op = "delete"
)

// Ops are the matrix columns, in the order the documents show them.
var Ops = []Op{OpAuth, OpGetServer, OpCreate, OpGetImage, OpFindImages, OpDelete}

// Fault is one row of the matrix: an HTTP status or a failure without one.
type Fault string

const (
	FaultTimeout   Fault = "timeout"
	FaultReset     Fault = "connection reset"
	FaultTLS       Fault = "TLS failure"
	FaultMalformed Fault = "malformed JSON"
)

// Faults are the matrix rows: the statuses the issue lists, then the
// failures that come without a status.
var Faults = []Fault{
	"400", "401", "403", "404", "405", "406", "409", "413", "415", "429",
	"500", "502", "503", "504",
	FaultTimeout, FaultReset, FaultTLS, FaultMalformed,
}

// StepOf is the reconcile step the per-operation tables show for op:
// where a failure of op matters most. get image and find images are also
// used while deleting (wait until gone, find a create's leftovers); the
// class-by-step table covers those.
func StepOf(op Op) policy.Step {
	switch op {
	case OpAuth:
		return policy.Authenticate
	case OpGetServer:
		return policy.GetServer
	case OpGetImage:
		return policy.Poll
	case OpFindImages:
		return policy.FindImages
	case OpDelete:
		return policy.Delete
	}
	return policy.Create
}
