// Package fakecloud is an in-process cloud simulator for tests and demos.
//
// It keeps one dialect-neutral store of servers and images (with a lazily
// computed snapshot lifecycle, fault injection and a request ledger) and
// serves it over HTTP through per-service fronts that speak the real wire
// protocols. Today the fronts are OpenStack Keystone v3, Nova v2.1 (plus the
// legacy /v2/{project_id} form) and Glance v2; other dialects can be added
// as further fronts over the same store.
//
// The package deliberately does not import the operator's cloud boundary
// (internal/cloud): it must stay an independent model of the cloud so that
// the drivers are tested against the protocol, not against themselves.
package fakecloud
