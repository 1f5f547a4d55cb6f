package controllers_test

import (
	"fmt"
	"strconv"
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/types"

	imagesv1 "github.com/serverimage-operator/serverimage-operator/api/v1alpha1"
	// The lead wires these drivers into internal/cloud/drivers; until then
	// they register themselves through these imports.
	_ "github.com/serverimage-operator/serverimage-operator/internal/cloud/huawei"
	_ "github.com/serverimage-operator/serverimage-operator/internal/cloud/rackspace"
	_ "github.com/serverimage-operator/serverimage-operator/internal/cloud/scp"
	"github.com/serverimage-operator/serverimage-operator/internal/fakecloud"
)

// provider is what the scenario table needs to know of one cloud API: how
// to reach the simulator's dialect of it, and where its answers differ in
// what a user sees.
type provider struct {
	name string
	// password gives the simulator a distinctive password where its
	// credentials derive from one (OpenStack; the Rackspace API key), so
	// that a leak of it can be searched for.
	password string
	// secret is the Secret data of the simulator's credentials; wrong is
	// the same with the secret value replaced by v.
	secret func(sim *fakecloud.Cloud) map[string]string
	wrong  func(sim *fakecloud.Cloud, v string) map[string]string
	// wrongValue is the wrong secret value the table uses, distinctive
	// enough to search the logs for.
	wrongValue string
	// secrets are the values of secret that must never show.
	secrets func(sim *fakecloud.Cloud) []string
	// cloud points a Cloud at the simulator's dialect.
	cloud func(sim *fakecloud.Cloud) func(*imagesv1.Cloud)
	// authFailure is what Ready=False AuthenticationFailed says of wrong
	// credentials: the HTTP status and the cloud's own words.
	authFailure []string

	// imageName is the name the cloud's image gets for a requested name.
	imageName func(name string, uid types.UID) string
	// metadata: images carry spec.metadata and the object's key as
	// properties (SCP images take no metadata).
	metadata bool
	// active and failed are the cloud's words for an active and a failed
	// image, as status.imageStatus shows them.
	active, failed string
	// checksum and progress: the status shows them once Ready.
	checksum, progress bool
	// images is the URL of the image collection that status.imageURL
	// points into once Ready (nil: SCP returns no URL).
	images func(sim *fakecloud.Cloud) string

	// hidesTaskState: a server busy with a snapshot reads ACTIVE, and
	// only createImage's 409 tells.
	hidesTaskState bool
	// rateLimit refuses one createImage, asking for a retry after 1 s;
	// rateLimitNote is what the RateLimited Event must say of it.
	rateLimit     fakecloud.Fault
	rateLimitNote []string
	// refuse makes a spec the cloud would refuse, which the driver knows
	// before calling it; refusal is what Ready=False InvalidRequest says.
	refuse  func(si *imagesv1.ServerImage)
	refusal []string
	// tokens: the credentials buy tokens, which can expire (AK/SK signing
	// never logs in).
	tokens bool
	// volumeSnapshots: images of volume-backed servers list their
	// block-storage snapshots, which the operator deletes with them;
	// hidesVolumeSnapshots: they may hold some, but the cloud gives no
	// way to find them.
	volumeSnapshots, hidesVolumeSnapshots bool
	// earlyCapture: the image's own status shows the upload (Glance's
	// saving), so Captured comes before Ready at no cost.
	earlyCapture bool
	// volumeAtOnce: a volume-backed server is captured within the create
	// request and may start right after its 202 (Nova).
	volumeAtOnce bool
}

var (
	openStack = provider{
		name:          "OpenStack",
		password:      "pw-LEAKCHECK-3f9a1c7e-openstack",
		secret:        func(sim *fakecloud.Cloud) map[string]string { return cloudsYAML(sim.CloudsYAML("sim")) },
		wrong:         wrongPassword,
		wrongValue:    "wrong-pw-LEAKCHECK-51c2d8",
		secrets:       func(sim *fakecloud.Cloud) []string { return []string{sim.Options().Password} },
		cloud:         openStackCloud,
		authFailure:   []string{"401"},
		imageName:     asRequested,
		metadata:      true,
		active:        "active",
		failed:        fakecloud.StatusKilled,
		checksum:      true,
		images:        func(sim *fakecloud.Cloud) string { return sim.ImageURL() + "/v2/images" },
		rateLimit:     fakecloud.Fault{Status: 429},
		rateLimitNote: []string{"429"},
		tokens:        true,
		// Cinder, found in the catalog as block-storage.
		volumeSnapshots: true,
		earlyCapture:    true,
		volumeAtOnce:    true,
	}
	// publicCloud serves Nova on /v2/{project_id} without microversions
	// and answers image status through the compute API: the OpenStack
	// provider pinned to 2.1 with imagePollAPI ComputeImages.
	publicCloud = func() provider {
		p := openStack
		p.name = "public cloud v2"
		p.cloud = func(sim *fakecloud.Cloud) func(*imagesv1.Cloud) {
			return func(c *imagesv1.Cloud) {
				openStackCloud(sim)(c)
				c.Spec.ComputeMicroversion = "2.1"
				c.Spec.ImagePollAPI = "ComputeImages"
				c.Spec.Endpoints = &imagesv1.CloudEndpoints{Compute: sim.LegacyComputeURL()}
			}
		}
		// The compute API's images proxy says ACTIVE, not Glance's active,
		// has progress but no checksum.
		p.active, p.failed = "ACTIVE", "ERROR"
		p.checksum, p.progress = false, true
		p.images = func(sim *fakecloud.Cloud) string { return sim.LegacyComputeURL() + "/images" }
		p.rateLimit, p.rateLimitNote = fakecloud.Fault{Status: 413}, []string{"413"}
		// Nova's images proxy says SAVING while still queued too.
		p.earlyCapture = false
		return p
	}()
	// rackspace is Identity v2.0 with an API key and Cloud Servers v2.
	rackspace = provider{
		name:     "Rackspace",
		password: "rax-pw-LEAKCHECK-c0ffee11",
		secret:   rackspaceSecret,
		wrong: func(sim *fakecloud.Cloud, v string) map[string]string {
			return with(rackspaceSecret(sim), "apiKey", v)
		},
		wrongValue:  "0badc0de1eak0badc0de1eak0badc0de",
		secrets:     func(sim *fakecloud.Cloud) []string { return []string{sim.RackspaceAPIKey()} },
		cloud:       rackspaceCloud,
		authFailure: []string{"401", "Username or api key is invalid."},
		imageName:   asRequested,
		metadata:    true,
		active:      "ACTIVE",
		failed:      "ERROR",
		progress:    true,
		// Without a region the user's default one.
		images: func(sim *fakecloud.Cloud) string {
			return sim.RackspaceComputeURL(sim.RackspaceDefaultRegion()) + "/images"
		},
		// Repose's rate control: 413 overLimit, Retry-After and retryAt.
		rateLimit:     fakecloud.Fault{Status: 413},
		rateLimitNote: []string{"413"},
		refuse: func(si *imagesv1.ServerImage) {
			si.Spec.Metadata = map[string]imagesv1.MetadataValue{}
			for i := range 41 {
				si.Spec.Metadata[fmt.Sprintf("key%02d", i)] = "v"
			}
		},
		refusal: []string{"at most 40 per image", "remove at least 2 entries"},
		tokens:  true,
	}
	// huawei is ECS and IMS with a permanent AK/SK pair.
	huawei = provider{
		name:   "Huawei",
		secret: huaweiAKSK,
		wrong: func(sim *fakecloud.Cloud, v string) map[string]string {
			return with(huaweiAKSK(sim), "secretKey", v)
		},
		wrongValue:    "WRONGLEAKCHECKSECRETKEY0123456789ABCDEF",
		secrets:       func(sim *fakecloud.Cloud) []string { return []string{sim.HuaweiSecretKey()} },
		cloud:         huaweiCloud,
		authFailure:   []string{"401", "APIGW.0301", "Incorrect IAM authentication information: verify aksk signature fail"},
		imageName:     uidSuffixed,
		metadata:      true,
		active:        "active",
		failed:        fakecloud.StatusKilled,
		checksum:      true,
		images:        func(sim *fakecloud.Cloud) string { return sim.HuaweiIMSURL() + "/v2/images" },
		rateLimit:     fakecloud.Fault{Status: 429},
		rateLimitNote: []string{"429", "APIG.0308", "The throttling threshold has been reached"},
		refuse:        func(si *imagesv1.ServerImage) { si.Spec.ImageName = strings.Repeat("n", 240) },
		refusal:       []string{"shorter than 243 bytes", "at most 233 bytes"},
		// IMS documents no field naming an image's EVS snapshots.
		hidesVolumeSnapshots: true,
	}
	// scp is Samsung Cloud Platform with its access key pair.
	scp = provider{
		name:        "SCP",
		secret:      func(sim *fakecloud.Cloud) map[string]string { return scpSecret(sim, sim.SCPSecretKey()) },
		wrong:       scpSecret,
		wrongValue:  "wrong-scp-LEAKCHECK-secret-9d41",
		secrets:     func(sim *fakecloud.Cloud) []string { return []string{sim.SCPSecretKey()} },
		cloud:       scpCloud,
		authFailure: []string{"401", "signature does not match"},
		imageName:   uidSuffixed,
		active:      "active",
		failed:      fakecloud.StatusKilled,
		checksum:    true,
		// SCP runs Nova underneath but shows no task state.
		hidesTaskState: true,
		rateLimit:      fakecloud.Fault{Status: 429, Message: "Too many requests, slow down."},
		rateLimitNote:  []string{"429", "slow down"},
		refuse: func(si *imagesv1.ServerImage) {
			si.Spec.Metadata = map[string]imagesv1.MetadataValue{"ImageType": "Gold"}
		},
		refusal: []string{"Samsung Cloud Platform images take no metadata; remove spec.metadata"},
		// Its images' volumes field is not read yet (docs/providers/scp.md).
		hidesVolumeSnapshots: true,
	}
	// providers are the ones the scenario table runs.
	providers = []provider{openStack, publicCloud, rackspace, huawei, scp}
)

// start is a scenario with a Ready Cloud "sim" of the provider; mutate
// changes the Cloud.
func (p provider) start(t *testing.T, opts fakecloud.Options, mutate ...func(*imagesv1.Cloud)) *scenario {
	t.Helper()
	s := p.startWithout(t, opts)
	s.CreateCloud(s.cloud, p.secret(s.sim), append([]func(*imagesv1.Cloud){p.cloud(s.sim)}, mutate...)...)
	s.WaitCloudReady(s.cloud)
	return s
}

// startWithout is the provider's simulator and a namespace, no Cloud yet.
func (p provider) startWithout(t *testing.T, opts fakecloud.Options) *scenario {
	t.Helper()
	if opts.Password == "" {
		opts.Password = p.password
	}
	return newSimScenario(t, opts, "sim")
}

func cloudsYAML(y string) map[string]string { return map[string]string{"clouds.yaml": y} }

func wrongPassword(sim *fakecloud.Cloud, v string) map[string]string {
	return cloudsYAML(strings.ReplaceAll(sim.CloudsYAML("sim"), strconv.Quote(sim.Options().Password), strconv.Quote(v)))
}

func rackspaceSecret(sim *fakecloud.Cloud) map[string]string {
	return map[string]string{"username": sim.RackspaceUsername(), "apiKey": sim.RackspaceAPIKey()}
}

func rackspaceCloud(sim *fakecloud.Cloud) func(*imagesv1.Cloud) {
	return func(c *imagesv1.Cloud) {
		c.Spec.Provider = imagesv1.ProviderRackspace
		c.Spec.Endpoints = &imagesv1.CloudEndpoints{Identity: sim.RackspaceIdentityURL()}
	}
}

// huaweiAKSK is the Secret of the simulator's permanent access key pair.
func huaweiAKSK(sim *fakecloud.Cloud) map[string]string {
	return map[string]string{"accessKey": sim.HuaweiAccessKey(), "secretKey": sim.HuaweiSecretKey()}
}

// huaweiCloud points a Cloud at the simulator's Huawei dialect: region
// and project as a user would set them, endpoints overridden to loopback.
func huaweiCloud(sim *fakecloud.Cloud) func(*imagesv1.Cloud) {
	return func(c *imagesv1.Cloud) {
		c.Spec.Provider = imagesv1.ProviderHuaweiCloud
		c.Spec.Region = sim.HuaweiRegion()
		c.Spec.ProjectID = sim.HuaweiProjectID()
		c.Spec.Endpoints = &imagesv1.CloudEndpoints{
			Identity: sim.HuaweiIAMURL(),
			Compute:  sim.HuaweiECSURL(),
			Image:    sim.HuaweiIMSURL(),
		}
	}
}

func scpSecret(sim *fakecloud.Cloud, secretKey string) map[string]string {
	return map[string]string{"accessKey": sim.SCPAccessKey(), "secretKey": secretKey}
}

func scpCloud(sim *fakecloud.Cloud) func(*imagesv1.Cloud) {
	return func(c *imagesv1.Cloud) {
		c.Spec.Provider = imagesv1.ProviderSamsungCloudPlatform
		c.Spec.Region = "kr-west1"
		c.Spec.Endpoints = &imagesv1.CloudEndpoints{Compute: sim.SCPURL()}
	}
}

// with returns m with key set to v.
func with(m map[string]string, key, v string) map[string]string {
	m[key] = v
	return m
}

func asRequested(name string, _ types.UID) string { return name }

// uidSuffixed is the name Huawei and SCP images get: the requested name
// and the first 8 hex digits of the object's UID, by which the operator
// finds the image again where there is no metadata to carry its key.
func uidSuffixed(name string, uid types.UID) string {
	return name + "-" + strings.ReplaceAll(string(uid), "-", "")[:8]
}
