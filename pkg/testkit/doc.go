// Package testkit runs serverimage-operator inside a user's envtest suite,
// against the simulated clouds of package fakecloud.
//
// A test installs the operator's CRDs into its envtest.Environment
// (AddCRDs, no file paths: they are embedded), runs the operator's
// reconcilers in its own manager (Register) or in one of their own
// (StartOperator), creates a Cloud for a running simulator (CreateCloud)
// and waits for ServerImages to be Ready (WaitForReady, RequireReady),
// with the object's conditions and Events in the message when they are
// not. The kube-apiserver and etcd binaries come from KUBEBUILDER_ASSETS,
// as for any envtest suite.
package testkit
