package fakecloud

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"
)

// hwCall is one request to a Huawei front, signed with a key pair or
// carrying a token.
type hwCall struct {
	method, url string
	body        any
	headers     map[string]string
	// ak/sk sign the request (with X-Project-Id project) at date.
	ak, sk, project, securityToken string
	date                           time.Time
	token                          string
}

// signForTest signs with the simulator's own canonical form; that form is
// pinned by the independent vectors in huawei_signature_test.go.
func signForTest(r *http.Request, body []byte, ak, sk string, date time.Time) {
	d := date.UTC().Format(huaweiDateLayout)
	r.Header.Set("X-Sdk-Date", d)
	r.Host = r.URL.Host
	signed := []string{"host", "x-sdk-date"}
	for _, h := range []string{"content-type", "x-project-id", "x-security-token"} {
		if r.Header.Get(h) != "" {
			signed = append(signed, h)
		}
	}
	slices.Sort(signed)
	cr := huaweiCanonicalRequest(r, signed, sha256Hex(body))
	sts := huaweiSigAlgorithm + "\n" + d + "\n" + sha256Hex([]byte(cr))
	mac := hmac.New(sha256.New, []byte(sk))
	mac.Write([]byte(sts))
	r.Header.Set("Authorization", huaweiSigAlgorithm+" Access="+ak+", SignedHeaders="+strings.Join(signed, ";")+", Signature="+hex.EncodeToString(mac.Sum(nil)))
}

func (hc hwCall) do(t *testing.T) resp {
	t.Helper()
	var raw []byte
	if hc.body != nil {
		raw, _ = json.Marshal(hc.body)
	}
	req, err := http.NewRequest(hc.method, hc.url, bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	if raw != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for k, v := range hc.headers {
		req.Header.Set(k, v)
	}
	if hc.token != "" {
		req.Header.Set("X-Auth-Token", hc.token)
	}
	if hc.ak != "" {
		if hc.project != "" {
			req.Header.Set("X-Project-Id", hc.project)
		}
		if hc.securityToken != "" {
			req.Header.Set("X-Security-Token", hc.securityToken)
		}
		date := hc.date
		if date.IsZero() {
			date = time.Now()
		}
		signForTest(req, raw, hc.ak, hc.sk, date)
	}
	out, err := roundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// signed is a call signed with the cloud's permanent key pair.
func signed(c *Cloud, method, url string, body any, headers ...string) hwCall {
	h := map[string]string{}
	for _, kv := range headers {
		k, v, _ := strings.Cut(kv, ":")
		h[k] = strings.TrimSpace(v)
	}
	return hwCall{method: method, url: url, body: body, headers: h,
		ak: c.HuaweiAccessKey(), sk: c.HuaweiSecretKey(), project: c.HuaweiProjectID()}
}

func hwServerURL(c *Cloud, id string) string {
	return c.HuaweiECSURL() + "/v2.1/" + c.HuaweiProjectID() + "/servers/" + id
}

func hwCreate(name string) map[string]any {
	return map[string]any{"createImage": map[string]any{"name": name, "metadata": map[string]string{"serverimage_uid": "k"}}}
}

func TestHuaweiGatewayAuthentication(t *testing.T) {
	t.Parallel()
	c := newTestCloud(t, Options{})
	srv := c.AddServer(Server{})
	tmpAK, tmpSK, tmpTok := c.HuaweiTemporaryCredentials()
	url := hwServerURL(c, srv.ID)
	cases := []struct {
		name     string
		call     hwCall
		status   int
		code     string
		msgParts string
	}{
		{"permanent key pair", signed(c, "GET", url, nil), 200, "", ""},
		{"wrong secret key", hwCall{method: "GET", url: url, ak: c.HuaweiAccessKey(), sk: "not-the-secret", project: c.HuaweiProjectID()},
			401, "APIGW.0301", "Incorrect IAM authentication information: verify aksk signature fail"},
		{"unknown access key", hwCall{method: "GET", url: url, ak: "NOSUCHKEY", sk: c.HuaweiSecretKey(), project: c.HuaweiProjectID()},
			401, "APIGW.0301", "does not exist"},
		{"date 20 minutes old", hwCall{method: "GET", url: url, ak: c.HuaweiAccessKey(), sk: c.HuaweiSecretKey(), project: c.HuaweiProjectID(),
			date: time.Now().Add(-20 * time.Minute)}, 401, "APIGW.0301", "signature expired"},
		{"wrong X-Project-Id", hwCall{method: "GET", url: url, ak: c.HuaweiAccessKey(), sk: c.HuaweiSecretKey(), project: strings.Repeat("e", 32)},
			401, "APIGW.0301", "does not belong to this account"},
		{"no X-Project-Id", hwCall{method: "GET", url: url, ak: c.HuaweiAccessKey(), sk: c.HuaweiSecretKey()},
			401, "APIGW.0301", "X-Project-Id not found"},
		{"temporary key pair with its token", hwCall{method: "GET", url: url, ak: tmpAK, sk: tmpSK, project: c.HuaweiProjectID(), securityToken: tmpTok}, 200, "", ""},
		{"temporary key pair without token", hwCall{method: "GET", url: url, ak: tmpAK, sk: tmpSK, project: c.HuaweiProjectID()},
			401, "APIGW.0301", "security token"},
		{"no credentials", hwCall{method: "GET", url: url}, 401, "APIGW.0301", "Incorrect IAM authentication information"},
		{"bad token", hwCall{method: "GET", url: url, token: "gAAAAABnope"}, 401, "APIGW.0301", "decrypt token fail"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := tc.call.do(t)
			if r.status != tc.status {
				t.Fatalf("status %d, want %d: %s", r.status, tc.status, r.raw)
			}
			if tc.code != "" && (r.str("error_code") != tc.code || !strings.Contains(r.str("error_msg"), tc.msgParts)) {
				t.Errorf("body %s, want code %s and message containing %q", r.raw, tc.code, tc.msgParts)
			}
			if tc.status == 200 && r.str("server", "id") != srv.ID {
				t.Errorf("server body %s", r.raw)
			}
		})
	}
}

func TestHuaweiIAMTokens(t *testing.T) {
	t.Parallel()
	c := newTestCloud(t, Options{})
	login := func(user, password string, domain, scope map[string]any) resp {
		u := map[string]any{"name": user, "password": password}
		if domain != nil {
			u["domain"] = domain
		}
		body := map[string]any{"auth": map[string]any{
			"identity": map[string]any{"methods": []string{"password"}, "password": map[string]any{"user": u}},
			"scope":    map[string]any{"project": scope},
		}}
		return do(t, "POST", c.HuaweiIAMURL()+"/v3/auth/tokens", "", body)
	}
	account := map[string]any{"name": c.HuaweiAccountName()}
	byRegion := map[string]any{"name": c.HuaweiRegion()}

	r := login("demo", "secret", account, byRegion)
	if r.status != http.StatusCreated || r.header.Get("X-Subject-Token") == "" {
		t.Fatalf("login: %d %s", r.status, r.raw)
	}
	exp, err := time.Parse(keystoneTime, r.str("token", "expires_at"))
	if err != nil || time.Until(exp) < 23*time.Hour {
		t.Errorf("token expires at %v, want 24 h from now", exp)
	}
	if r.str("token", "project", "id") != c.HuaweiProjectID() {
		t.Errorf("token project %s", r.raw)
	}
	tok := r.header.Get("X-Subject-Token")
	srv := c.AddServer(Server{})
	if g := (hwCall{method: "GET", url: hwServerURL(c, srv.ID), token: tok}).do(t); g.status != 200 {
		t.Errorf("ECS with the token: %d %s", g.status, g.raw)
	}

	for _, tc := range []struct {
		name   string
		r      resp
		status int
	}{
		{"scope by project ID", login("demo", "secret", account, map[string]any{"id": c.HuaweiProjectID()}), 201},
		{"wrong password", login("demo", "wrong", account, byRegion), 401},
		{"wrong account", login("demo", "secret", map[string]any{"name": "other"}, byRegion), 401},
		{"no account", login("demo", "secret", nil, byRegion), 401},
		{"unknown project", login("demo", "secret", account, map[string]any{"name": "eu-west-0"}), 401},
	} {
		if tc.r.status != tc.status {
			t.Errorf("%s: %d %s, want %d", tc.name, tc.r.status, tc.r.raw, tc.status)
		}
		if tc.status == 401 && !strings.HasPrefix(tc.r.str("error_code"), "IAM.") {
			t.Errorf("%s: body %s is not IAM's error shape", tc.name, tc.r.raw)
		}
	}
}

func TestHuaweiECSCreateImage(t *testing.T) {
	t.Parallel()
	c := newTestCloud(t, Options{})
	cases := []struct {
		name    string
		imgName string
		headers []string
		status  int
		check   func(t *testing.T, r resp)
	}{
		{"microversion 2.45 returns image_id", "web", []string{"X-OpenStack-Nova-API-Version: 2.45"}, 202, func(t *testing.T, r resp) {
			if _, ok := c.Image(r.str("image_id")); !ok {
				t.Errorf("image_id %q is not a simulator image", r.str("image_id"))
			}
		}},
		{"no microversion returns Location", "web", nil, 202, func(t *testing.T, r resp) {
			loc := r.header.Get("Location")
			if !strings.HasPrefix(loc, c.HuaweiIMSURL()+"/v2/images/") || r.str("image_id") != "" {
				t.Errorf("Location %q body %s", loc, r.raw)
			}
		}},
		{"242-byte name", strings.Repeat("é", 121), nil, 202, nil},
		{"243-byte name", strings.Repeat("a", 243), nil, 400, func(t *testing.T, r resp) {
			if !strings.Contains(r.str("badRequest", "message"), "less than 243 bytes") {
				t.Errorf("body %s", r.raw)
			}
		}},
		{"multi-byte name over the byte limit", strings.Repeat("é", 122), nil, 400, nil},
		{"microversion above the maximum", "web", []string{"X-OpenStack-Nova-API-Version: 2.999"}, 406, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv := c.AddServer(Server{})
			r := signed(c, "POST", hwServerURL(c, srv.ID)+"/action", hwCreate(tc.imgName), tc.headers...).do(t)
			if r.status != tc.status {
				t.Fatalf("status %d, want %d: %s", r.status, tc.status, r.raw)
			}
			if tc.check != nil {
				tc.check(t, r)
			}
		})
	}

	t.Run("busy server answers a Nova conflict", func(t *testing.T) {
		srv := c.AddServer(Server{TaskState: "image_uploading"})
		r := signed(c, "POST", hwServerURL(c, srv.ID)+"/action", hwCreate("x")).do(t)
		if r.status != 409 || !strings.Contains(r.str("conflictingRequest", "message"), "task_state image_uploading") {
			t.Errorf("%d %s", r.status, r.raw)
		}
	})
	t.Run("URL project differs from the caller's", func(t *testing.T) {
		srv := c.AddServer(Server{})
		r := signed(c, "GET", c.HuaweiECSURL()+"/v2.1/"+strings.Repeat("f", 32)+"/servers/"+srv.ID, nil).do(t)
		if r.status != 400 || !strings.Contains(r.str("badRequest", "message"), "doesn't match") {
			t.Errorf("%d %s", r.status, r.raw)
		}
	})
	t.Run("unknown server", func(t *testing.T) {
		r := signed(c, "GET", hwServerURL(c, "0b6e5c1f-9d0a-4c55-9a53-1f3b2f0e7a10"), nil).do(t)
		if r.status != 404 || r.str("itemNotFound", "message") == "" {
			t.Errorf("%d %s", r.status, r.raw)
		}
	})
}

func TestHuaweiIMS(t *testing.T) {
	t.Parallel()
	c := newTestCloud(t, Options{})
	var ids []string
	for _, n := range []string{"a", "b", "b", "c"} {
		ids = append(ids, c.AddImage(Image{Name: n}).ID)
		time.Sleep(2 * time.Millisecond) // distinct created_at for the order
	}
	list := func(query string) resp {
		return signed(c, "GET", c.HuaweiIMSURL()+"/v2/cloudimages?"+query, nil).do(t)
	}
	names := func(r resp) []string {
		var out []string
		for _, img := range r.body["images"].([]any) {
			out = append(out, img.(map[string]any)["name"].(string))
		}
		return out
	}

	if r := list("__imagetype=private&name=b"); r.status != 200 || strings.Join(names(r), ",") != "b,b" {
		t.Errorf("name filter: %d %s", r.status, r.raw)
	}
	if r := list("__imagetype=gold"); len(names(r)) != 0 {
		t.Errorf("gold images: %s", r.raw)
	}
	if r := list("__imagetype=nonsense"); r.status != 400 || r.str("error", "code") == "" {
		t.Errorf("bad __imagetype: %d %s", r.status, r.raw)
	}
	// Paging: newest first, two per page, each page asked for with the
	// last ID of the one before; no link to the next page, as in IMS.
	r := list("limit=2")
	if strings.Join(names(r), ",") != "c,b" || r.body["next"] != nil || r.body["first"] != nil {
		t.Fatalf("first page %s", r.raw)
	}
	if r = list("limit=2&marker=" + ids[2]); strings.Join(names(r), ",") != "b,a" {
		t.Errorf("second page %s", r.raw)
	}
	if r = list("limit=2&marker=" + ids[0]); r.status != 200 || len(names(r)) != 0 {
		t.Errorf("after the last image: %d %s", r.status, r.raw)
	}
	// The query is read as the gateway verified it: '+' is a plus.
	c.AddImage(Image{Name: "a+b"})
	c.AddImage(Image{Name: "a b"})
	if r := list("name=a+b"); strings.Join(names(r), ",") != "a+b" {
		t.Errorf("name=a+b: %s", r.raw)
	}
	if r := list("name=a%20b"); strings.Join(names(r), ",") != "a b" {
		t.Errorf("name=a%%20b: %s", r.raw)
	}

	img := signed(c, "GET", c.HuaweiIMSURL()+"/v2/images/"+ids[0], nil).do(t)
	if img.status != 200 || img.str("status") != "active" || img.str("__imagetype") != "private" {
		t.Errorf("get: %d %s", img.status, img.raw)
	}
	if d := signed(c, "DELETE", c.HuaweiIMSURL()+"/v2/images/"+ids[0], nil).do(t); d.status != 204 {
		t.Errorf("delete: %d %s", d.status, d.raw)
	}
	gone := signed(c, "GET", c.HuaweiIMSURL()+"/v2/images/"+ids[0], nil).do(t)
	if gone.status != 404 || !strings.HasPrefix(gone.str("error", "code"), "IMG.") {
		t.Errorf("get after delete: %d %s", gone.status, gone.raw)
	}
}

func TestHuaweiFaultsUseGatewayAndServiceFormats(t *testing.T) {
	t.Parallel()
	c := newTestCloud(t, Options{})
	srv := c.AddServer(Server{})
	cases := []struct {
		name  string
		fault Fault
		check func(r resp) bool
	}{
		{"throttled", Fault{Op: OpCreateImage, Status: 429, RetryAfter: "3"}, func(r resp) bool {
			return r.str("error_code") == "APIG.0308" && strings.HasPrefix(r.str("error_msg"), "The throttling threshold has been reached") &&
				r.header.Get("Retry-After") == "3"
		}},
		{"busy", Fault{Op: OpCreateImage, Status: 409, Message: "Cannot 'createImage' instance x while it is in task_state image_snapshot"},
			func(r resp) bool { return strings.Contains(r.str("conflictingRequest", "message"), "task_state") }},
		{"token rejected", Fault{Op: OpCreateImage, Status: 401}, func(r resp) bool { return r.str("error_code") == "APIGW.0301" }},
		{"service unavailable", Fault{Op: OpCreateImage, Status: 503}, func(r resp) bool { return r.str("serviceUnavailable", "message") != "" }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c.InjectFault(tc.fault)
			r := signed(c, "POST", hwServerURL(c, srv.ID)+"/action", hwCreate("f")).do(t)
			if r.status != tc.fault.Status || !tc.check(r) {
				t.Errorf("%d %s", r.status, r.raw)
			}
		})
	}
	c.InjectFault(Fault{Op: OpGetImage, Status: 429})
	img := c.AddImage(Image{})
	if r := signed(c, "GET", c.HuaweiIMSURL()+"/v2/images/"+img.ID, nil).do(t); r.status != 429 || r.str("error_code") != "APIG.0308" {
		t.Errorf("IMS throttle: %d %s", r.status, r.raw)
	}
}

func TestHuaweiDroppedCreateStillCreates(t *testing.T) {
	t.Parallel()
	c := newTestCloud(t, Options{})
	srv := c.AddServer(Server{})
	c.InjectFault(Fault{Op: OpCreateImage, DropResponse: true})
	req, _ := http.NewRequest("POST", hwServerURL(c, srv.ID)+"/action", strings.NewReader(`{"createImage":{"name":"lost"}}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Project-Id", c.HuaweiProjectID())
	signForTest(req, []byte(`{"createImage":{"name":"lost"}}`), c.HuaweiAccessKey(), c.HuaweiSecretKey(), time.Now())
	if _, err := testClient.Do(req); err == nil {
		t.Fatal("the response was not dropped")
	}
	if imgs := c.Images(); len(imgs) != 1 || imgs[0].Name != "lost" {
		t.Errorf("images after a dropped create: %+v", imgs)
	}
	if n := c.Calls(OpCreateImage); n != 1 {
		t.Errorf("ledger createImage = %d", n)
	}
}

func TestHuaweiCloudsYAMLAndKeysAreStable(t *testing.T) {
	t.Parallel()
	a, b := newTestCloud(t, Options{}), newTestCloud(t, Options{})
	if a.HuaweiAccessKey() != b.HuaweiAccessKey() || a.HuaweiSecretKey() != b.HuaweiSecretKey() {
		t.Error("keys differ between runs with the same options")
	}
	if len(a.HuaweiAccessKey()) != 20 || len(a.HuaweiSecretKey()) != 40 {
		t.Errorf("key lengths %d/%d", len(a.HuaweiAccessKey()), len(a.HuaweiSecretKey()))
	}
	y := a.HuaweiCloudsYAML("hw")
	for _, want := range []string{a.HuaweiIAMURL() + "/v3", `user_domain_name: "fakecloud-account"`, `region_name: "RegionOne"`} {
		if !strings.Contains(y, want) {
			t.Errorf("clouds.yaml lacks %q:\n%s", want, y)
		}
	}
}
