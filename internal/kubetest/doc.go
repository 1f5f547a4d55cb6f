// Package kubetest holds what the envtest suites (controllers, test/ha)
// and the end-to-end suite (test/openstack) do to the API server alike:
// make a namespace, create Secrets, Clouds and ServerImages, read them
// back, and wait for conditions and Events. It knows only the API types,
// never the operator's internals, so a test written with it checks what a
// user sees.
package kubetest
