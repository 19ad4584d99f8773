#!/usr/bin/python3
"""A dhtpush peer written from docs/protocol.md alone: Debian's python3-opendht,
python3-cryptography and python3-msgpack, no dhtpush code.

    dhtpush_peer.py check-vectors VECTORS.json
    dhtpush_peer.py publish --bootstrap HOST:PORT --subscription FILE --message TEXT
    dhtpush_peer.py watch --bootstrap HOST:PORT --token TOKEN [--seconds N]

`publish` joins the network, encrypts TEXT for the PushSubscription in FILE (RFC 8291), and
puts the envelope at the token's DHT key; it exits 0 once a storing node took it. `watch`
prints its own subscription keys as a JSON line, then the first message for TOKEN it finds
in the DHT, decrypted with those keys, and exits 0 (1 at its deadline)."""
import argparse
import base64
import hashlib
import json
import os
import struct
import sys
import threading
import time

import msgpack
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

# docs/protocol.md, "Subscription token and DHT key" and "Envelope".
NETWORK_ID = 0x64687470
ENVELOPE_TYPE = 0x7055
BATCH_TYPE = 0x7056
# What a peer whose binding cannot set a value's type puts instead: USER_DATA with these.
ENVELOPE_USER_TYPE = "dhtpush/envelope"
BATCH_USER_TYPE = "dhtpush/batch"
LANES = 16
MAX_TTL = 2419200
MAX_BODY = 4096
MAX_ENVELOPE = 8192
MAX_VAPID = 1024
URGENCIES = ("very-low", "low", "normal", "high")
# docs/protocol.md, "The proxy directory".
DIRECTORY_TYPE = 0x7050
DIRECTORY_DOMAIN = b"dhtpush/v2/proxy-record"
FIELD_ORDER = ("v", "id", "ct", "ttl", "urg", "top", "enc", "vap", "body")


class Invalid(Exception):
    """A value, token or header the protocol refuses."""


def b64u(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64u(text: str) -> bytes:
    if any(c not in "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_" for c in text):
        raise Invalid("not base64url")
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def sha256(*parts: bytes) -> bytes:
    return hashlib.sha256(b"".join(parts)).digest()


# --- tokens -----------------------------------------------------------------------------------
class Token:
    def __init__(self, text: str):
        raw = unb64u(text)
        lengths = {1: 17, 2: 33, 3: 49}
        if not raw or raw[0] not in lengths or len(raw) != lengths[raw[0]]:
            raise Invalid("not a token")
        self.text, self.raw, self.version = text, raw, raw[0]

    def key(self) -> bytes:
        if self.version == 1:
            return sha256(b"dhtpush/v1/subscription-key", self.raw)[:20]
        return sha256(b"dhtpush/v2/inbox-key", self.raw[1:17])[:20]

    def recipient(self) -> bytes:
        return b"" if self.version == 1 else sha256(b"dhtpush/v2/recipient", self.raw)[:16]

    def lanes(self) -> list:
        key = self.key()
        return [key[:19] + bytes([key[19] ^ lane]) for lane in range(LANES)] if self.version != 1 else [key]

    def key_commitment(self) -> bytes:
        return self.raw[33:49] if self.version == 3 else b""


def key_commitment(public_key: bytes) -> bytes:
    return sha256(b"dhtpush/v3/bound-key", public_key)[:16]


# --- envelopes and batches --------------------------------------------------------------------
def encode_envelope(fields: dict) -> bytes:
    return msgpack.packb({k: fields[k] for k in FIELD_ORDER if k in fields}, use_bin_type=True)


def _uint(value) -> bool:
    return type(value) is int and value >= 0


def decode_envelope(data: bytes) -> dict:
    if len(data) > MAX_ENVELOPE:
        raise Invalid("above 8192 bytes")
    try:
        m = msgpack.unpackb(data, raw=False, strict_map_key=False)
    except Exception as e:  # trailing bytes, truncation, bad UTF-8 in a str
        raise Invalid(f"not msgpack: {e}")
    if not isinstance(m, dict) or any(not isinstance(k, str) for k in m):
        raise Invalid("not a map with string keys")
    checks = {"v": _uint, "ct": _uint, "ttl": _uint, "urg": _uint,
              "id": lambda x: isinstance(x, bytes), "body": lambda x: isinstance(x, bytes),
              "top": lambda x: isinstance(x, str), "enc": lambda x: isinstance(x, str), "vap": lambda x: isinstance(x, str)}
    for key, ok in checks.items():
        if key in m and not ok(m[key]):
            raise Invalid(f"'{key}' has the wrong type")
    if m.get("v") != 1:
        raise Invalid("version")
    if len(m.get("id", b"")) != 16:
        raise Invalid("id")
    if "ct" not in m or "ttl" not in m or m["ttl"] > MAX_TTL:
        raise Invalid("ct or ttl")
    if m.get("urg", 2) > 3:
        raise Invalid("urgency")
    top = m.get("top", "")
    if len(top) > 32 or any(c not in "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_" for c in top):
        raise Invalid("topic")
    if m.get("enc", "") not in ("", "aes128gcm"):
        raise Invalid("content coding")
    if len(m.get("body", b"")) > MAX_BODY or len(m.get("vap", "")) > MAX_VAPID:
        raise Invalid("size")
    known = {k: m[k] for k in FIELD_ORDER if k in m}
    known.setdefault("urg", 2)
    known.setdefault("body", b"")
    return known


def envelope_value_id(message_id: bytes) -> int:
    return struct.unpack("<Q", message_id[:8])[0] or 1


def encode_batch(entries: list) -> bytes:
    return msgpack.packb({"v": 1, "m": [[recipient, envelope] for recipient, envelope in entries]}, use_bin_type=True)


def decode_batch(data: bytes) -> list:
    try:
        m = msgpack.unpackb(data, raw=False, strict_map_key=False)
    except Exception as e:
        raise Invalid(f"not msgpack: {e}")
    if not isinstance(m, dict) or m.get("v") != 1 or not isinstance(m.get("m"), list) or not 1 <= len(m["m"]) <= 256:
        raise Invalid("not a batch")
    out = []
    for entry in m["m"]:
        if not isinstance(entry, list) or len(entry) != 2 or not isinstance(entry[0], bytes) or len(entry[0]) != 16 \
                or not isinstance(entry[1], bytes):
            raise Invalid("bad entry")
        out.append((entry[0], decode_envelope(entry[1]), entry[1]))
    return out


# --- RFC 8291 ---------------------------------------------------------------------------------
def _hkdf(salt: bytes, ikm: bytes, info: bytes, length: int) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=length, salt=salt, info=info).derive(ikm)


def _point(key) -> bytes:
    return key.public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)


def _private(scalar: bytes):
    return ec.derive_private_key(int.from_bytes(scalar, "big"), ec.SECP256R1())


def _keys(ua_public: bytes, as_public: bytes, ecdh: bytes, auth: bytes, salt: bytes):
    ikm = _hkdf(auth, ecdh, b"WebPush: info\x00" + ua_public + as_public, 32)
    return _hkdf(salt, ikm, b"Content-Encoding: aes128gcm\x00", 16), _hkdf(salt, ikm, b"Content-Encoding: nonce\x00", 12)


def webpush_encrypt(plaintext: bytes, ua_public: bytes, auth: bytes, as_private: bytes = b"", salt: bytes = b"") -> bytes:
    as_key = _private(as_private) if as_private else ec.generate_private_key(ec.SECP256R1())
    salt = salt or os.urandom(16)
    as_public = _point(as_key.public_key())
    ecdh = as_key.exchange(ec.ECDH(), ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), ua_public))
    cek, nonce = _keys(ua_public, as_public, ecdh, auth, salt)
    return salt + struct.pack(">I", 4096) + bytes([65]) + as_public + AESGCM(cek).encrypt(nonce, plaintext + b"\x02", None)


def webpush_decrypt(body: bytes, ua_private: bytes, auth: bytes) -> bytes:
    if len(body) < 86 + 17 or body[20] != 65:
        raise Invalid("not an aes128gcm body of RFC 8291")
    salt, as_public = body[:16], body[21:86]
    ua_key = _private(ua_private)
    ecdh = ua_key.exchange(ec.ECDH(), ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), as_public))
    cek, nonce = _keys(_point(ua_key.public_key()), as_public, ecdh, auth, salt)
    padded = AESGCM(cek).decrypt(nonce, body[86:], None).rstrip(b"\x00")  # padding: zeros after the delimiter
    if not padded or padded[-1] != 2:
        raise Invalid("the record's last non-zero byte is not the delimiter 0x02")
    return padded[:-1]


# --- VAPID (RFC 8292), as a node checks it ----------------------------------------------------
def vapid_verdict(header: str, bound_key: str, audience: str, now: int) -> str:
    """'valid', 'forbidden' or 'malformed'."""
    if len(header) > MAX_VAPID or not header.lower().startswith("vapid "):
        return "malformed"
    params = {}
    for part in header[6:].split(","):
        name, sep, value = part.strip().partition("=")
        if not sep or name.strip() in params:
            return "malformed"
        params[name.strip()] = value.strip().strip('"')
    if "t" not in params or "k" not in params:
        return "malformed"
    try:
        key = unb64u(params["k"])
        head_b64, claims_b64, sig_b64 = params["t"].split(".")
        jwt_head = json.loads(unb64u(head_b64))
        claims = json.loads(unb64u(claims_b64))
        signature = unb64u(sig_b64)
        public = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), key)
    except (Invalid, ValueError):
        return "malformed"
    if len(key) != 65 or len(signature) != 64 or not isinstance(claims, dict) or not isinstance(jwt_head, dict):
        return "malformed"
    if not isinstance(claims.get("aud"), str) or type(claims.get("exp")) is not int or not isinstance(claims.get("sub"), str):
        return "malformed"
    if "typ" in jwt_head and not (isinstance(jwt_head["typ"], str) and jwt_head["typ"].lower() == "jwt"):
        return "malformed"
    if not claims["sub"]:
        return "malformed"
    if jwt_head.get("alg") != "ES256":
        return "forbidden"
    der = encode_dss_signature(int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big"))
    try:
        public.verify(der, (head_b64 + "." + claims_b64).encode(), ec.ECDSA(hashes.SHA256()))
    except InvalidSignature:
        return "forbidden"
    if bound_key and params["k"] != bound_key:
        return "forbidden"
    if claims["aud"] != audience or not now < claims["exp"] <= now + 86400:
        return "forbidden"
    return "valid"


# --- the vectors ------------------------------------------------------------------------------
def directory_key() -> bytes:
    return sha256(b"dhtpush/v2/proxy-directory")[:20]


def sign_directory_entry(body: dict, private_key) -> bytes:
    """The signed entry of a body (a dict of the table's keys) with a cryptography EC key."""
    from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature
    packed = msgpack.packb(body, use_bin_type=True)
    r, s = decode_dss_signature(private_key.sign(DIRECTORY_DOMAIN + packed, ec.ECDSA(hashes.SHA256())))
    point = _point(private_key.public_key())
    return msgpack.packb({"body": packed, "key": point, "sig": r.to_bytes(32, "big") + s.to_bytes(32, "big")},
                         use_bin_type=True)


def directory_verdict(entry: bytes, now_ms: int):
    """(verdict, identity, body): 'valid', 'forbidden' (the signature) or 'invalid'."""
    try:
        outer = msgpack.unpackb(entry, raw=False)
        body, key, sig = outer["body"], outer["key"], outer["sig"]
        public = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), key)
    except Exception:
        return "invalid", "", None
    if len(entry) > 2304 or len(body) > 2048 or len(key) != 65 or len(sig) != 64:
        return "invalid", "", None
    der = encode_dss_signature(int.from_bytes(sig[:32], "big"), int.from_bytes(sig[32:], "big"))
    try:
        public.verify(der, DIRECTORY_DOMAIN + body, ec.ECDSA(hashes.SHA256()))
    except InvalidSignature:
        return "forbidden", "", None
    try:
        fields = msgpack.unpackb(body, raw=False)
    except Exception:
        return "invalid", "", None
    identity = sha256(key)[:20].hex()
    urls = fields.get("urls")
    if (fields.get("v") != 1 or not isinstance(urls, list) or not 1 <= len(urls) <= 4
            or not all(isinstance(u, str) and u.startswith(("http://", "https://")) and len(u) <= 256 for u in urls)
            or not isinstance(fields.get("node"), str) or len(fields["node"]) != 40):
        return "invalid", identity, fields
    issued, expires = fields.get("iss"), fields.get("exp")
    if not _uint(issued) or not _uint(expires) or not issued <= expires <= issued + 15 * 60 * 1000:
        return "invalid", identity, fields
    if issued > now_ms + 60000 or expires == issued or expires <= now_ms:
        return "invalid", identity, fields
    return "valid", identity, fields


def check_vectors(path: str) -> int:
    vectors = json.load(open(path))
    failures = []

    def expect(name, got, want):
        if got != want:
            failures.append(f"{name}: got {got!r}, want {want!r}")

    expect("network id", vectors["network_id"], NETWORK_ID)
    expect("value types", vectors["value_types"], {"envelope": ENVELOPE_TYPE, "batch": BATCH_TYPE})
    for v in vectors["tokens"]:
        token = Token(v["token"])
        expect(v["token"] + " bytes", token.raw.hex(), v["token_bytes"])
        expect(v["token"] + " key", token.key().hex(), v["key"])
        if token.version != 1:
            expect(v["token"] + " recipient", token.recipient().hex(), v["recipient"])
            expect(v["token"] + " lanes", [lane.hex() for lane in token.lanes()], v["lanes"])
        if token.version == 3:
            expect(v["token"] + " commitment", key_commitment(unb64u(v["vapid_public_key"])).hex(), v["key_commitment"])
            expect(v["token"] + " commitment in token", token.key_commitment().hex(), v["key_commitment"])
    for v in vectors["envelopes"]:
        fields = {k: (bytes.fromhex(x) if k in ("id", "body") else x) for k, x in v["fields"].items()}
        expect(v["name"] + " bytes", encode_envelope(fields).hex(), v["msgpack"])
        expect(v["name"] + " decoded", decode_envelope(bytes.fromhex(v["msgpack"])), {**{"urg": 2}, **fields})
        expect(v["name"] + " value id", str(envelope_value_id(fields["id"])), v["value_id"])
    decode_envelope(bytes.fromhex(vectors["envelope_with_unknown_key"]["msgpack"]))
    for v in vectors["invalid_envelopes"]:
        try:
            decode_envelope(bytes.fromhex(v["msgpack"]))
            failures.append(v["name"] + ": decoded")
        except Invalid:
            pass
    for v in vectors["batches"]:
        entries = [(bytes.fromhex(e["recipient"]), bytes.fromhex(e["envelope"])) for e in v["entries"]]
        expect(v["name"] + " bytes", encode_batch(entries).hex(), v["msgpack"])
        expect(v["name"] + " decoded", [(r.hex(), raw.hex()) for r, _, raw in decode_batch(bytes.fromhex(v["msgpack"]))],
               [(e["recipient"], e["envelope"]) for e in v["entries"]])
    for v in vectors["vapid"]:
        expect(v["name"], vapid_verdict(v["header"], v["bound_key"], v["audience"], v["now"]), v["verdict"])
    directory = vectors["directory"]
    expect("directory key", directory_key().hex(), directory["key"])
    expect("directory type", DIRECTORY_TYPE, directory["value_type"])
    for v in directory["entries"]:
        verdict, identity, fields = directory_verdict(bytes.fromhex(v["entry"]), v["now"])
        expect(v["name"], verdict, v["verdict"])
        if v["verdict"] == "valid":
            expect(v["name"] + " identity", identity, v["identity"])
            expect(v["name"] + " fields", fields, v["fields"])
    for v in vectors["webpush"]:
        body = webpush_encrypt(v["plaintext"].encode(), unb64u(v["ua_public"]), unb64u(v["auth"]),
                               unb64u(v["as_private"]), unb64u(v["salt"]))
        expect(v["name"] + " body", b64u(body), v["body"])
        expect(v["name"] + " decrypted", webpush_decrypt(unb64u(v["body"]), unb64u(v["ua_private"]), unb64u(v["auth"])),
               v["plaintext"].encode())
    for failure in failures:
        print("FAIL " + failure)
    print(f"vectors: {len(failures)} failed")
    return 1 if failures else 0


# --- on a live network ------------------------------------------------------------------------
def join(bootstrap: str, network: int):
    import opendht
    config = opendht.DhtConfig()
    config.setNetwork(network)
    config.setRateLimit(-1, -1)  # many nodes on one loopback address
    node = opendht.DhtRunner()
    node.run(port=0, ipv4="127.0.0.1", config=config)
    host, _, port = bootstrap.rpartition(":")
    node.bootstrap(host, port)
    return node


def leave(node) -> None:
    """Shuts the node down, waiting at most 2 s for it."""
    stopped = threading.Event()
    node.shutdown(stopped.set)
    stopped.wait(2)


def publish(args) -> int:
    import opendht
    subscription = json.load(open(args.subscription))
    token = Token(subscription["endpoint"].rsplit("/", 1)[1])
    body = webpush_encrypt(args.message.encode(), unb64u(subscription["keys"]["p256dh"]), unb64u(subscription["keys"]["auth"]))
    message_id = os.urandom(16)
    envelope = encode_envelope({"v": 1, "id": message_id, "ct": int(time.time() * 1000), "ttl": args.ttl,
                                "urg": 2, "enc": "aes128gcm", "body": body})
    if token.version == 1:
        value = opendht.Value(envelope)
        value.user_type = ENVELOPE_USER_TYPE
        value.id = envelope_value_id(message_id)
    else:
        value = opendht.Value(encode_batch([(token.recipient(), envelope)]))
        value.user_type = BATCH_USER_TYPE
        value.id = int.from_bytes(os.urandom(8), "little") or 1
    node = join(args.bootstrap, args.network)
    deadline = time.time() + args.seconds
    try:
        # A fresh node may not know the storing nodes yet: put again until one takes it, each
        # attempt with a deadline of its own (OpenDHT may not answer a put at all).
        while time.time() < deadline:
            done, taken = threading.Event(), []
            node.put(opendht.InfoHash(token.lanes()[0].hex().encode()), value,
                     done_cb=lambda ok, nodes: (taken.append(ok), done.set()))
            if done.wait(min(5, max(0.1, deadline - time.time()))) and taken[0]:
                print(json.dumps({"published": b64u(message_id)}))
                return 0
        print("no storing node took the value", file=sys.stderr)
        return 1
    finally:
        leave(node)


def watch(args) -> int:
    import opendht
    token = Token(args.token)
    ua_key = ec.generate_private_key(ec.SECP256R1())
    auth = os.urandom(16)
    ua_private = ua_key.private_numbers().private_value.to_bytes(32, "big")
    print(json.dumps({"p256dh": b64u(_point(ua_key.public_key())), "auth": b64u(auth)}), flush=True)
    found = threading.Event()
    result = {}

    def on_value(value, expired=False):  # a listen's callback also hears of expiries
        if found.is_set():
            return False
        if expired:
            return True
        try:
            if token.version == 1:
                envelopes = [decode_envelope(value.data)]
            else:
                envelopes = [e for r, e, _ in decode_batch(value.data) if r == token.recipient()]
            for envelope in envelopes:
                text = webpush_decrypt(envelope["body"], ua_private, auth)
                result.update({"text": text.decode(), "ttl": envelope["ttl"], "urgency": URGENCIES[envelope["urg"]],
                               "id": b64u(envelope["id"])})
                found.set()
        except Exception as e:  # another recipient's or a stranger's value: not ours to show
            print(f"skipped a value: {e}", file=sys.stderr)
        return not found.is_set()

    node = join(args.bootstrap, args.network)
    try:
        for lane in token.lanes():
            node.listen(opendht.InfoHash(lane.hex().encode()), on_value)
        if not found.wait(args.seconds):
            print("nothing came", file=sys.stderr)
            return 1
        print(json.dumps(result), flush=True)
        return 0
    finally:
        leave(node)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    check = commands.add_parser("check-vectors")
    check.add_argument("vectors")
    for name in ("publish", "watch"):
        command = commands.add_parser(name)
        command.add_argument("--bootstrap", required=True)
        command.add_argument("--network", type=lambda s: int(s, 0), default=NETWORK_ID)
        command.add_argument("--seconds", type=float, default=30)
    commands.choices["publish"].add_argument("--subscription", required=True)
    commands.choices["publish"].add_argument("--message", required=True)
    commands.choices["publish"].add_argument("--ttl", type=int, default=600)
    commands.choices["watch"].add_argument("--token", required=True)
    args = parser.parse_args()
    if args.command == "check-vectors":
        return check_vectors(args.vectors)
    return publish(args) if args.command == "publish" else watch(args)


if __name__ == "__main__":
    code = main()
    sys.stdout.flush()
    sys.stderr.flush()
    # Not sys.exit: python3-opendht 2.4's DhtRunner can hang in its destructor at interpreter
    # exit while a listen's callback is registered (seen in this test).
    os._exit(code)
