package testkit

import (
	"fmt"
	"io/fs"

	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/envtest"
	"sigs.k8s.io/yaml"

	"github.com/serverimage-operator/serverimage-operator/config/crd"
)

// CRDs returns the operator's CustomResourceDefinitions, as `make
// manifests` generates them.
func CRDs() ([]*apiextensionsv1.CustomResourceDefinition, error) {
	files, err := fs.Glob(crd.Bases, "bases/*.yaml")
	if err != nil {
		return nil, err
	}
	out := make([]*apiextensionsv1.CustomResourceDefinition, 0, len(files))
	for _, f := range files {
		raw, err := crd.Bases.ReadFile(f)
		if err != nil {
			return nil, err
		}
		var c apiextensionsv1.CustomResourceDefinition
		if err := yaml.UnmarshalStrict(raw, &c); err != nil {
			return nil, fmt.Errorf("testkit: CRD %s: %w", f, err)
		}
		out = append(out, &c)
	}
	return out, nil
}

// AddCRDs adds the operator's CRDs to the ones env installs when it
// starts. Call it before env.Start.
func AddCRDs(env *envtest.Environment) error {
	crds, err := CRDs()
	if err != nil {
		return err
	}
	env.CRDInstallOptions.CRDs = append(env.CRDInstallOptions.CRDs, crds...)
	return nil
}

// InstallCRDs installs the operator's CRDs into a control plane that is
// already running and waits until they are served.
func InstallCRDs(cfg *rest.Config) error {
	crds, err := CRDs()
	if err != nil {
		return err
	}
	_, err = envtest.InstallCRDs(cfg, envtest.CRDInstallOptions{CRDs: crds})
	return err
}
