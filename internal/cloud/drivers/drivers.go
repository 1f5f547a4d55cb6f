// Package drivers links every cloud driver into the binary; each registers
// itself with internal/cloud from its init function.
package drivers

import (
	_ "github.com/serverimage-operator/serverimage-operator/internal/cloud/huawei"
	_ "github.com/serverimage-operator/serverimage-operator/internal/cloud/openstack"
	_ "github.com/serverimage-operator/serverimage-operator/internal/cloud/rackspace"
	_ "github.com/serverimage-operator/serverimage-operator/internal/cloud/scp"
)
