package testkit

import (
	"k8s.io/apimachinery/pkg/runtime"
	utilruntime "k8s.io/apimachinery/pkg/util/runtime"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"

	imagesv1 "github.com/serverimage-operator/serverimage-operator/api/v1alpha1"
)

// Scheme returns a new scheme that knows the built-in kinds and the
// operator's. Add a test's own kinds to it as needed.
func Scheme() *runtime.Scheme {
	s := runtime.NewScheme()
	utilruntime.Must(clientgoscheme.AddToScheme(s))
	utilruntime.Must(imagesv1.AddToScheme(s))
	return s
}
