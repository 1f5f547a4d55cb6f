package cloudtest

// SCPSignatureVector is a request and the Scp-Signature it must carry
// (client type "Openapi").
type SCPSignatureVector struct {
	Method, URL, Timestamp, AccessKey, SecretKey, AccountID string
	Want                                                    string
}

// SCPSignatureVectors were computed once, outside Go, with Python's
// standard library, from the inputs below:
//
//	base64.b64encode(hmac.new(secret.encode(), (method+url+ts+ak+account+"Openapi").encode(),
//	                          hashlib.sha256).digest())
//
// An independent implementation is the point: a vector produced by the
// project's own code would only prove that it agrees with itself. Both
// the driver's signer and the simulator's verifier are checked against
// them.
var SCPSignatureVectors = []SCPSignatureVector{
	{
		Method: "POST", URL: "https://virtualserver.kr-west1.e.samsungsdscloud.com/v1/servers/2a9be312-5d4b-4bc8-b2ae-35100fa9241f/images",
		Timestamp: "1605290625682", AccessKey: "AKexample0123456789", SecretKey: "SKexample-secret-key-0001", AccountID: "",
		Want: "8jKSOx4tnJMQM2g9k66ne92chLWyeJecSpr/WunY2c4=",
	},
	{
		Method: "GET", URL: "https://virtualserver.kr-east1.s.samsungsdscloud.com/v1/images?limit=100&name=web+golden-3f2a9c1e",
		Timestamp: "1763888849000", AccessKey: "AKexample0123456789", SecretKey: "SKexample-secret-key-0001", AccountID: "acct-42",
		Want: "vi5aki3aP8fbaoDdt8wNBRVTI2GSb/Ysjdn/79GqZyM=",
	},
}
