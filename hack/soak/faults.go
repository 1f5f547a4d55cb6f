package main

import "github.com/serverimage-operator/serverimage-operator/internal/fakecloud"

// faultOps are every cloud operation the operator calls on the OpenStack
// path (Keystone, the compute version document, Nova, Glance).
var faultOps = []fakecloud.Op{
	fakecloud.OpAuth,
	fakecloud.OpVersions,
	fakecloud.OpGetServer,
	fakecloud.OpCreateImage,
	fakecloud.OpGetImage,
	fakecloud.OpListImages,
	fakecloud.OpDeleteImage,
}

var serverErrors = []int{500, 502, 503, 504}

// injectFaults adds the standing random faults. The simulator consults
// them in order and a spared call goes on to the next, so the lost create
// responses come first (at their full rate), then the 5xx and the 409s.
func injectFaults(sim *fakecloud.Cloud, cfg config) {
	if cfg.drop > 0 {
		sim.InjectFault(fakecloud.Fault{Op: fakecloud.OpCreateImage, DropResponse: true, Probability: cfg.drop})
	}
	for _, op := range faultOps {
		// Each status gets its share of what is left after the faults
		// before it, so the op's overall 5xx rate is errorRate.
		left := 1.0
		if op == fakecloud.OpCreateImage {
			left -= cfg.drop
		}
		if cfg.errorRate > 0 {
			for i, status := range serverErrors {
				share := cfg.errorRate / float64(len(serverErrors))
				p := share / (left - float64(i)*share)
				sim.InjectFault(fakecloud.Fault{Op: op, Status: status, Probability: p})
			}
			left -= cfg.errorRate
		}
		if cfg.conflictRate > 0 {
			sim.InjectFault(fakecloud.Fault{Op: op, Status: 409, Probability: cfg.conflictRate / left})
		}
	}
}
