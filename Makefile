# serverimage-operator
#
#   make demo   run the operator end to end on a local control plane and the
#               built-in cloud simulator (no cluster, no cloud account)
#   make test   run the whole test suite (builds kube-apiserver and etcd from
#               the Go module proxy the first time, then caches them in bin/)
#   make test-openstack
#               the operator against a real OpenStack from Debian's packages,
#               on loopback (root, Debian bookworm; see hack/openstack/README.md)

IMG ?= serverimage-operator:dev
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
COMMIT ?= $(shell git rev-parse --short HEAD 2>/dev/null || echo unknown)

K8S_VERSION ?= 1.37.2
ETCD_VERSION ?= 3.6.16
CONTROLLER_TOOLS_VERSION ?= v0.23.0
# Tools for the end-to-end, packaging and docs checks, built from the Go
# module proxy into bin/ by hack/tool-binaries.sh (their names carry the
# version, so a version bump rebuilds them). kubectl matches the local
# control plane's version, within kubectl's supported skew.
KUBECTL_VERSION ?= $(K8S_VERSION)
HELM_VERSION ?= v4.3.1
CRD_REF_DOCS_VERSION ?= v0.3.0

LOCALBIN ?= $(CURDIR)/bin
ENVTEST_DIR ?= $(LOCALBIN)/k8s/$(K8S_VERSION)
CONTROLLER_GEN ?= $(LOCALBIN)/controller-gen-$(CONTROLLER_TOOLS_VERSION)
KUBECTL ?= $(LOCALBIN)/kubectl-v$(KUBECTL_VERSION)
HELM ?= $(LOCALBIN)/helm-$(HELM_VERSION)
CRD_REF_DOCS ?= $(LOCALBIN)/crd-ref-docs-$(CRD_REF_DOCS_VERSION)
CHART_DIR ?= charts/serverimage-operator
DIST ?= dist

export KUBEBUILDER_ASSETS = $(ENVTEST_DIR)

GO_LDFLAGS = -s -w -X main.version=$(VERSION) -X main.commit=$(COMMIT)
TEST_FLAGS ?=
# e.g. E2E_FLAGS="-run Helm -v" for make test-e2e
E2E_FLAGS ?=

.PHONY: all
all: build

##@ Development

.PHONY: manifests
manifests: $(CONTROLLER_GEN) ## Generate CRDs and RBAC from the markers in api/ and controllers/.
	$(CONTROLLER_GEN) rbac:roleName=manager-role crd paths="./api/..." paths="./controllers/..." output:crd:artifacts:config=config/crd/bases output:rbac:artifacts:config=config/rbac
	@$(MAKE) --no-print-directory helm-chart

.PHONY: generate
generate: $(CONTROLLER_GEN) ## Generate deepcopy code.
	$(CONTROLLER_GEN) object:headerFile="hack/boilerplate.go.txt" paths="./api/..."

.PHONY: verify-generated
verify-generated: manifests generate ## Fail when generated files are stale.
	@git diff --exit-code -- api config charts || (echo "generated files are stale: run 'make manifests generate' and commit" >&2; exit 1)

.PHONY: verify-mod
verify-mod: ## Fail when `go mod tidy` would change go.mod or go.sum.
	@go mod tidy -diff || (echo "go.mod/go.sum are not tidy: run 'go mod tidy' and commit" >&2; exit 1)

.PHONY: fmt
fmt:
	go fmt ./...

.PHONY: vet
vet:
	go vet ./...

.PHONY: envtest
envtest: $(ENVTEST_DIR)/kube-apiserver ## Build kube-apiserver and etcd for envtest (cached).

$(ENVTEST_DIR)/kube-apiserver:
	K8S_VERSION=$(K8S_VERSION) ETCD_VERSION=$(ETCD_VERSION) hack/envtest-binaries.sh $(ENVTEST_DIR)

$(KUBECTL):
	KUBECTL_VERSION=$(KUBECTL_VERSION) hack/tool-binaries.sh $(LOCALBIN) kubectl

$(HELM):
	HELM_VERSION=$(HELM_VERSION) hack/tool-binaries.sh $(LOCALBIN) helm

$(CRD_REF_DOCS):
	CRD_REF_DOCS_VERSION=$(CRD_REF_DOCS_VERSION) hack/tool-binaries.sh $(LOCALBIN) crd-ref-docs

$(CONTROLLER_GEN):
	mkdir -p $(LOCALBIN)
	GOBIN=$(LOCALBIN) go install sigs.k8s.io/controller-tools/cmd/controller-gen@$(CONTROLLER_TOOLS_VERSION)
	mv $(LOCALBIN)/controller-gen $(CONTROLLER_GEN)

.PHONY: test
test: envtest verify-generated vet ## Run the whole test suite.
	go test -race -count=1 $(TEST_FLAGS) ./...

.PHONY: test-e2e
test-e2e: envtest $(KUBECTL) $(HELM) ## Run the real kubectl and helm against a local control plane, the simulator and the operator binary.
	KUBECTL=$(KUBECTL) HELM=$(HELM) go test -tags e2e -count=1 -timeout 20m $(E2E_FLAGS) ./test/e2e/

.PHONY: helm-chart
helm-chart: ## Copy the generated CRDs and the RBAC roles from config/ into the Helm chart.
	rm -f $(CHART_DIR)/crds/*.yaml $(CHART_DIR)/files/rbac/*.yaml
	mkdir -p $(CHART_DIR)/crds $(CHART_DIR)/files/rbac
	cp config/crd/bases/*.yaml $(CHART_DIR)/crds/
	cp $$(grep -lE '^kind: (Cluster)?Role$$' config/rbac/*.yaml) $(CHART_DIR)/files/rbac/

.PHONY: docs
docs: $(CRD_REF_DOCS) ## Generate the API reference (docs/api.md) from the Go types.
	$(CRD_REF_DOCS) --source-path=./api --config=docs/crd-ref-docs.yaml --renderer=markdown --output-path=docs/api.md >/dev/null

.PHONY: verify-docs
verify-docs: $(CRD_REF_DOCS) ## Fail when docs/api.md is not what `make docs` generates.
	@tmp=$$(mktemp -d) && trap 'rm -rf '"$$tmp" EXIT && \
	$(CRD_REF_DOCS) --source-path=./api --config=docs/crd-ref-docs.yaml --renderer=markdown --output-path=$$tmp/api.md >/dev/null && \
	diff -u docs/api.md $$tmp/api.md || (echo "docs/api.md is stale: run 'make docs' and commit" >&2; exit 1)

.PHONY: test-openstack
test-openstack: envtest ## End-to-end suite against a real OpenStack on loopback (as root; installs it the first time).
	hack/openstack/up
	@start=$$(date +%s); rc=0; \
	go test -tags openstack -count=1 -v -parallel 16 -timeout 20m ./test/openstack/ || rc=$$?; \
	echo "openstack: suite took $$(( $$(date +%s) - start ))s"; \
	hack/openstack/status || true; \
	exit $$rc

.PHONY: demo
demo: envtest ## Run the operator on a local control plane against the simulator.
	go run ./hack/demo

# make bench's default run; docs/performance.md lists the comparisons.
BENCH_FLAGS ?= -n 100,1000,5000,10000 -mode feed

.PHONY: bench
bench: envtest ## Measure the operator at scale (N = 100 to 10,000; see docs/performance.md).
	go run ./hack/bench $(BENCH_FLAGS)

.PHONY: soak
soak: envtest ## Soak: N ServerImages, lost responses, random 5xx/409, the operator killed mid-run (SOAK_FLAGS, e.g. -n 500 -restarts 8).
	go run ./hack/soak $(SOAK_FLAGS)

# Every fuzz target: package:Target. Each parser of cloud answers, the
# Retry-After and Location readers, and the request signers.
FUZZ_TARGETS = \
	internal/cloud:FuzzParseErrorBody \
	internal/cloud:FuzzParseRetryAfter \
	internal/cloud:FuzzRetryAfterOf \
	internal/cloud:FuzzImageIDFromLocation \
	internal/cloud:FuzzNewHTTPError \
	internal/cloud/openstack:FuzzImageIDFromCreate \
	internal/cloud/openstack:FuzzGlanceImage \
	internal/cloud/openstack:FuzzNovaImage \
	internal/cloud/openstack:FuzzNovaServer \
	internal/cloud/openstack:FuzzVersionDocument \
	internal/cloud/openstack:FuzzCloudsYAML \
	internal/cloud/rackspace:FuzzImageResponse \
	internal/cloud/rackspace:FuzzAccessResponse \
	internal/cloud/huawei:FuzzIMSImage \
	internal/cloud/huawei:FuzzImageIDFromCreate \
	internal/cloud/huawei:FuzzCanonical \
	internal/cloud/huawei:FuzzSignerAgainstGateway \
	internal/cloud/scp:FuzzErrorMessage \
	internal/cloud/scp:FuzzImage \
	internal/cloud/scp:FuzzServer \
	internal/cloud/scp:FuzzSignerAgainstGateway
FUZZTIME ?= 10s

.PHONY: fuzz
fuzz: ## Run every fuzz target for FUZZTIME (10s) each; seeds are in each package's testdata/fuzz.
	@set -e; for t in $(FUZZ_TARGETS); do \
		pkg=./$${t%%:*}; name=$${t##*:}; \
		echo "== $$pkg $$name"; \
		go test $$pkg -run '^$$' -fuzz "^$$name\$$" -fuzztime $(FUZZTIME); \
	done

.PHONY: fakecloud
fakecloud: ## Serve the cloud simulator standalone.
	go run ./hack/fakecloud

##@ Build

.PHONY: build
build: ## Build the manager binary.
	CGO_ENABLED=0 go build -trimpath -ldflags "$(GO_LDFLAGS)" -o $(LOCALBIN)/manager .

.PHONY: run
run: manifests generate ## Run the manager against the cluster in ~/.kube/config.
	go run . --leader-elect=false

.PHONY: docker-build
docker-build: ## Build the container image (needs a Docker engine).
	docker build --build-arg VERSION=$(VERSION) --build-arg COMMIT=$(COMMIT) -t $(IMG) .

.PHONY: release-manifests
release-manifests: $(KUBECTL) ## Write $(DIST)/install.yaml: everything `kubectl apply -f` needs, with image IMG.
	mkdir -p $(DIST)
	$(KUBECTL) kustomize config/default | sed "s|image: controller:latest|image: $(IMG)|" > $(DIST)/install.yaml.tmp
	@grep -q "image: $(IMG)$$" $(DIST)/install.yaml.tmp || (echo "image not set in $(DIST)/install.yaml" >&2; exit 1)
	mv $(DIST)/install.yaml.tmp $(DIST)/install.yaml

##@ Deployment

.PHONY: install
install: manifests ## Install the CRDs into the cluster in ~/.kube/config.
	kubectl apply -k config/crd

.PHONY: uninstall
uninstall:
	kubectl delete -k config/crd

.PHONY: deploy
deploy: manifests ## Deploy the operator with image IMG.
	cd config/manager && kubectl kustomize . >/dev/null
	kubectl kustomize config/default | sed "s|image: controller:latest|image: $(IMG)|" | kubectl apply -f -

.PHONY: undeploy
undeploy:
	kubectl delete -k config/default

.PHONY: help
help:
	@awk 'BEGIN {FS = ":.*##"} /^[a-zA-Z0-9_-]+:.*?##/ { printf "  %-18s %s\n", $$1, $$2 }' $(MAKEFILE_LIST)
