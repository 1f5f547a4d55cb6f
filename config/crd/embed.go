// Package crd embeds the operator's CustomResourceDefinitions, so that
// code outside the repository (pkg/testkit) can install them without
// knowing where the files are. Every file in bases/ is included: a CRD
// added there needs no change here.
package crd

import "embed"

// Bases holds bases/*.yaml, one CRD per file, as controller-gen writes them.
//
//go:embed bases/*.yaml
var Bases embed.FS
