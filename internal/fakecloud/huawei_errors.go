package fakecloud

import (
	"net/http"
	"strconv"
)

// Error bodies of the Huawei dialect. The gateway's are documented
// ({"error_code","error_msg"} with APIG/APIGW codes); the services behind
// it answer the same flat shape (IAM), a Nova fault (ECS native API) or a
// nested {"error":{"code","message"}} (IMS). The service codes the
// simulator invents are "<SVC>.0<status>" (IAM.0401, IMG.0404): plausible
// in shape, not real codes.

// Gateway codes and messages.
const (
	huaweiCodeAuth     = "APIGW.0301"
	huaweiCodeThrottle = "APIG.0308"
	huaweiMsgBadSig    = "Incorrect IAM authentication information: verify aksk signature fail"
	huaweiMsgExpired   = "Incorrect IAM authentication information: signature expired"
	huaweiMsgBadToken  = "Incorrect IAM authentication information: decrypt token fail"
	huaweiMsgThrottle  = "The throttling threshold has been reached: policy user over ratelimit,limit:100,time:1 minute"
)

// writeHuaweiGatewayError answers as the API gateway does.
func writeHuaweiGatewayError(w http.ResponseWriter, status int, code, msg, retryAfter string) {
	if retryAfter != "" {
		w.Header().Set("Retry-After", retryAfter)
	}
	id := newHexID(16)
	w.Header().Set("X-Request-Id", id)
	writeJSON(w, status, map[string]any{"error_code": code, "error_msg": msg, "request_id": id})
}

// huaweiGatewayFault writes the statuses the gateway itself produces (an
// injected 401 or 429 on any Huawei service) and reports whether it did.
// A fault without its own message gets the gateway's usual one.
func huaweiGatewayFault(w http.ResponseWriter, status int, msg, retryAfter string) bool {
	generic := msg == defaultFaultMessage(status)
	switch status {
	case http.StatusTooManyRequests:
		if generic {
			msg = huaweiMsgThrottle
		}
		writeHuaweiGatewayError(w, status, huaweiCodeThrottle, msg, retryAfter)
		return true
	case http.StatusUnauthorized:
		if generic {
			msg = huaweiMsgBadToken
		}
		writeHuaweiGatewayError(w, status, huaweiCodeAuth, msg, retryAfter)
		return true
	}
	return false
}

func huaweiServiceCode(svc string, status int) string {
	return svc + ".0" + strconv.Itoa(status)
}

// huaweiIAMError: IAM answers the flat Huawei shape. The login needs no
// prior authentication, so only throttling is the gateway's; a 401 is
// IAM refusing the credentials.
func huaweiIAMError(w http.ResponseWriter, status int, msg, retryAfter string) {
	if status == http.StatusTooManyRequests && huaweiGatewayFault(w, status, msg, retryAfter) {
		return
	}
	writeHuaweiGatewayError(w, status, huaweiServiceCode("IAM", status), msg, retryAfter)
}

// huaweiECSError: the native OpenStack API of ECS answers Nova faults.
func huaweiECSError(w http.ResponseWriter, status int, msg, retryAfter string) {
	if huaweiGatewayFault(w, status, msg, retryAfter) {
		return
	}
	w.Header().Set("X-Request-Id", newHexID(16))
	writeError(w, dialectNova, status, msg, retryAfter)
}

// huaweiIMSError: IMS nests its code and message under "error".
func huaweiIMSError(w http.ResponseWriter, status int, msg, retryAfter string) {
	if huaweiGatewayFault(w, status, msg, retryAfter) {
		return
	}
	if retryAfter != "" {
		w.Header().Set("Retry-After", retryAfter)
	}
	w.Header().Set("X-Request-Id", newHexID(16))
	writeJSON(w, status, map[string]any{"error": map[string]any{
		"code": huaweiServiceCode("IMG", status), "message": msg,
	}})
}
