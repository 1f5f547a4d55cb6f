# Independent reference for Huawei Cloud's SDK-HMAC-SHA256 request signing,
# written from the algorithm as Huawei's SDK signer and API gateway signing
# sample apply it (raw sort, then escape; no lower-casing of keys) with
# Python's hashlib/hmac only, sharing no code with the Go signer or the
# simulator's verifier. Its output was pasted into signer_test.go (driver)
# and huawei_signature_test.go (simulator). Re-run: python3 signature_vectors.py
import hashlib, hmac

UNRESERVED = set(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.~")

def esc(s):
    out = []
    for b in s.encode("utf-8"):
        out.append(chr(b) if b in UNRESERVED else "%%%02X" % b)
    return "".join(out)

def canon_uri(path):
    segs = path.split("/")
    u = "/".join(esc(s) for s in segs)
    if not u.endswith("/"):
        u += "/"
    return u

def canon_query(params):  # list of (k, v) decoded
    # As Huawei's SDK signer and API gateway sample do it: sort the raw keys,
    # then each key's raw values, and escape only when joining. Python
    # compares str by code point, which for UTF-8 text is the byte order
    # Go's sort.Strings uses.
    d = {}
    for k, v in params:
        d.setdefault(k, []).append(v)
    parts = []
    for k in sorted(d):
        for v in sorted(d[k]):
            parts.append(esc(k) + "=" + esc(v))
    return "&".join(parts)

def sign(method, path, params, headers, body, ak, sk):
    names = sorted(h.lower() for h in headers)
    lower = {k.lower(): v for k, v in headers.items()}
    ch = "".join(n + ":" + lower[n].strip() + "\n" for n in names)
    sh = ";".join(names)
    cr = "\n".join([method, canon_uri(path), canon_query(params), ch, sh, hashlib.sha256(body).hexdigest()])
    sts = "SDK-HMAC-SHA256\n" + lower["x-sdk-date"] + "\n" + hashlib.sha256(cr.encode()).hexdigest()
    sig = hmac.new(sk.encode(), sts.encode(), hashlib.sha256).hexdigest()
    auth = "SDK-HMAC-SHA256 Access=%s, SignedHeaders=%s, Signature=%s" % (ak, sh, sig)
    return cr, sts, sig, auth

AK = "HPUAEXAMPLE7AK2026QX"
SK = "exAmpleSecretKeyForTests0123456789abcdEF"
PROJ = "0a1b2c3d4e5f60718293a4b5c6d7e8f9"
vectors = [
    ("list", "GET", "/v2/cloudimages",
     [("__imagetype", "private"), ("name", "web golden~é-1a2b3c4d"), ("limit", "1"), ("name", "a+b")],
     {"Content-Type": "application/json", "Host": "ims.cn-north-4.myhuaweicloud.com",
      "X-Project-Id": PROJ, "X-Sdk-Date": "20260716T101112Z"}, b"", AK, SK),
    ("create", "POST", "/v2.1/%s/servers/3f1e0c2a-9b8d-4e7f-a6b5-c4d3e2f1a0b9/action" % PROJ, [],
     {"Content-Type": "application/json", "Host": "ecs.cn-north-4.myhuaweicloud.com",
      "X-Project-Id": PROJ, "X-Sdk-Date": "20260716T235959Z", "X-Security-Token": "  tmp-token-AbC/+=  "},
     b'{"createImage":{"metadata":{"serverimage_uid":"1a2b3c4d-0000-4000-8000-000000000001"},"name":"web-golden-1a2b3c4d"}}',
     AK, SK),
    ("oddpath", "DELETE", "/v2/images/a b/caf\u00e9~x", [],
     {"Host": "127.0.0.1:8443", "X-Sdk-Date": "20260101T000000Z"}, b"", AK, SK),
    ("rawsort", "GET", "/v2/cloudimages",
     [("name", "\u00e9"), ("name", "a"), ("name", "a0"), ("name", "a:"), ("Name", "Z"), ("k:", "1"), ("k0", "2")],
     {"Host": "ims.cn-north-4.myhuaweicloud.com", "X-Project-Id": PROJ, "X-Sdk-Date": "20260716T101112Z"}, b"", AK, SK),
    ("space", "GET", "/v2/cloudimages",
     [("name", "web golden+1 image-1a2b3c4d"), ("__imagetype", "private")],
     {"Host": "ims.cn-north-4.myhuaweicloud.com", "X-Project-Id": PROJ, "X-Sdk-Date": "20260716T101112Z"}, b"", AK, SK),
]
for name, m, p, q, h, b, ak, sk in vectors:
    cr, sts, sig, auth = sign(m, p, q, h, b, ak, sk)
    print("==", name)
    print("CR:", repr(cr))
    print("STS:", repr(sts))
    print("SIG:", sig)
    print("AUTH:", auth)
    print("BODYHASH:", hashlib.sha256(b).hexdigest())
