package controllers

import (
	"k8s.io/client-go/tools/cache"
	crcache "sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// lastAppliedAnnotation is where kubectl's client-side apply keeps the whole
// object as it was applied: as large as the spec again, and never read here.
const lastAppliedAnnotation = "kubectl.kubernetes.io/last-applied-configuration"

// CacheTransform slims every cached object to what the operator reads: it
// drops managed fields (server-side apply) and kubectl's last-applied
// annotation (client-side apply), which together are most of a small
// object. Writes are merge patches computed against the cached copy, so
// neither is ever sent back or removed from the stored object.
func CacheTransform() cache.TransformFunc {
	stripManaged := crcache.TransformStripManagedFields()
	return func(in any) (any, error) {
		out, err := stripManaged(in)
		if err != nil {
			return out, err
		}
		if o, ok := out.(client.Object); ok {
			if a := o.GetAnnotations(); a != nil {
				if _, ok := a[lastAppliedAnnotation]; ok {
					delete(a, lastAppliedAnnotation)
					if len(a) == 0 {
						a = nil
					}
					o.SetAnnotations(a)
				}
			}
		}
		return out, nil
	}
}
