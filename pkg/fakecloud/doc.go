// Package fakecloud runs an in-process cloud that serverimage-operator can
// snapshot servers on, for users' own tests.
//
// A Cloud speaks the wire protocol of one of the operator's cloud APIs (see
// Dialect): the operator's real drivers talk to it over HTTP on loopback,
// exactly as they would to the real cloud. A test adds servers, decides how
// long an image takes to build or makes it fail, injects faults (failed
// calls, rate limits with Retry-After, lost create responses, expired
// tokens), reads how many calls of each kind arrived, and gets a ready-made
// Secret and Cloud pointing at it.
//
// The package is a small, stable facade: it wraps the operator's internal
// simulator, whose types are free to change, and exposes only what users'
// tests need. See the README's pkg/ compatibility note for what may change
// in v0.
package fakecloud
