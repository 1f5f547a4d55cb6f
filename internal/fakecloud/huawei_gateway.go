package fakecloud

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"time"
)

// huaweiCaller is who a request to ECS or IMS authenticated as.
type huaweiCaller struct {
	projectID string
	tok       token // zero for AK/SK callers
}

// huaweiAuthenticate is the API gateway in front of ECS and IMS: an AK/SK
// signature (Authorization: SDK-HMAC-SHA256 ...) or an IAM token
// (X-Auth-Token). On failure it answers 401 with the gateway's body and
// reports false. An AK/SK request's body is read for hashing and put back
// for the handler.
func (c *Cloud) huaweiAuthenticate(w http.ResponseWriter, r *http.Request) (huaweiCaller, bool) {
	fail := func(msg string) (huaweiCaller, bool) {
		writeHuaweiGatewayError(w, http.StatusUnauthorized, huaweiCodeAuth, msg, "")
		return huaweiCaller{}, false
	}
	if auth := r.Header.Get("Authorization"); auth != "" {
		return c.huaweiVerifyAKSK(r, auth, fail)
	}
	if v := r.Header.Get("X-Auth-Token"); v != "" {
		t, ok := c.tokens.validate(v)
		if !ok {
			return fail(huaweiMsgBadToken)
		}
		return huaweiCaller{projectID: t.ProjectID, tok: t}, true
	}
	return fail("Incorrect IAM authentication information: neither Authorization nor X-Auth-Token found")
}

func (c *Cloud) huaweiVerifyAKSK(r *http.Request, auth string, fail func(string) (huaweiCaller, bool)) (huaweiCaller, bool) {
	h, err := parseHuaweiAuthorization(auth)
	if err != nil {
		return fail("Incorrect IAM authentication information: Authorization header is not SDK-HMAC-SHA256")
	}
	secret, securityToken, known := c.huaweiSecretFor(h.accessKey)
	if !known {
		return fail("Incorrect IAM authentication information: the access key does not exist")
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil {
		return fail("Incorrect IAM authentication information: request body unreadable")
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	switch err := verifyHuaweiSignature(r, h, body, secret, time.Now()); {
	case errors.Is(err, errSigExpired):
		return fail(huaweiMsgExpired)
	case errors.Is(err, errSigNoDate):
		return fail("Incorrect IAM authentication information: X-Sdk-Date missing or not signed")
	case err != nil:
		return fail(huaweiMsgBadSig)
	}
	if securityToken != "" && r.Header.Get("X-Security-Token") != securityToken {
		return fail("Incorrect IAM authentication information: security token invalid for temporary access key")
	}
	// The gateway turns the key pair into a project-scoped identity for the
	// project in X-Project-Id; a project the account does not have fails
	// authentication (the key pair is fine, the identity cannot be made).
	if project := r.Header.Get("X-Project-Id"); project != c.opts.ProjectID {
		if project == "" {
			return fail("Incorrect IAM authentication information: X-Project-Id not found")
		}
		return fail("Incorrect IAM authentication information: project " + project + " does not belong to this account")
	}
	return huaweiCaller{projectID: c.opts.ProjectID}, true
}

// huaweiSecretFor returns the secret key of an access key, and the
// security token it needs when it is a temporary one.
func (c *Cloud) huaweiSecretFor(accessKey string) (secret, securityToken string, ok bool) {
	if accessKey == c.HuaweiAccessKey() {
		return c.HuaweiSecretKey(), "", true
	}
	if ak, sk, tok := c.HuaweiTemporaryCredentials(); accessKey == ak {
		return sk, tok, true
	}
	return "", "", false
}

// huaweiGateway wraps a service handler in the gateway's authentication.
func (c *Cloud) huaweiGateway(h func(http.ResponseWriter, *http.Request, huaweiCaller)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Request-Id", newHexID(16))
		caller, ok := c.huaweiAuthenticate(w, r)
		if !ok {
			return
		}
		h(w, r, caller)
	}
}
