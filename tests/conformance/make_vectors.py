#!/usr/bin/python3
"""Writes docs/protocol/vectors.json with the Python peer's implementation of
docs/protocol.md (dhtpush_peer.py: Debian's python3-cryptography and python3-msgpack, no
dhtpush code), and verdicts written by hand from the document. The C++ tests
(tests/node/protocol_vectors_test.cpp) check every vector against dhtpush's code, and
`dhtpush_peer.py check-vectors` against the peer, so the document and the code cannot drift
apart.

    tests/conformance/make_vectors.py > docs/protocol/vectors.json

Every input is fixed, so the output is the same on every run."""
import json
import sys

import msgpack

from dhtpush_peer import (BATCH_TYPE, DIRECTORY_TYPE, ENVELOPE_TYPE, NETWORK_ID, Token, b64u, directory_key,
                          encode_batch, encode_envelope, envelope_value_id, sha256, unb64u, webpush_encrypt)

# The worked example's keys (docs/protocol.md): RFC 8291 Appendix A's device and app server.
UA_PUBLIC = "BCVxsr7N_eNgVRqvHtD0zTZsEc6-VV-JvLexhqUzORcxaOzi6-AYWXvTBHm4bjyPjs7Vd8pZGH6SRpkNtoIAiw4"
UA_PRIVATE = "q1dXpw3UpT5VOmu_cf_v6ih07Aems3njxI-JWgLcM94"
AUTH = "BTBZMqHH6r4Tts7J_aSIgg"
AS_PRIVATE = "yfWPiYE-n46HLnH0KqZOF1fJJU3MYrct3AELtAQ-oRw"
SALT = "DGv6ra1nlYgDCS1FRnbzlw"
VAPID_PUBLIC = "BLgU3pGRBjR6y35weUwn5Cyjh6rLWqihRG-8DJxI-q_VQNHizUtjGzJ4S8jK4O5adCT7_Mggx5FjbkRumBjLFoM"
VAPID_HEADER = (
    "vapid t=eyJ0eXAiOiJKV1QiLCJhbGciOiJFUzI1NiJ9.eyJhdWQiOiJodHRwczovLzEyNy4wLjAuMTo4NDQzIiwiZXhwIjoxNzk1NjUxMjAwLCJzdWIiOiJtYWlsdG86b3BzQGV4YW1wbGUuY29tIn0."
    "eFq9WAqRmv5XPr-osoINdjaubHsTCYsGKgWSAZVDNqsDgKXjX6QkSUEAaxCf6XDc-eXJ-lHjPesBwsRldvZ-JQ, k=" + VAPID_PUBLIC)
VAPID_EXP = 1795651200
# A proxy directory entry and a withdrawal, signed once by dhtpush_peer.sign_directory_entry
# with the scalar c9f4f55b...f1a7 (ES256 signatures are randomized, so they are kept, not made).
DIRECTORY_BODY = {"v": 1, "urls": ["https://push.example.org"], "node": "0f" * 20, "ver": "0.1.0", "cap": 1000,
                  "dev": 250, "sub": 900, "str": 200, "iss": 1795647600000, "exp": 1795647780000}
DIRECTORY_ENTRY = "83a4626f6479c4908aa17601a475726c7391b868747470733a2f2f707573682e6578616d706c652e6f7267a46e6f6465d92830663066306630663066306630663066306630663066306630663066306630663066306630663066a3766572a5302e312e30a3636170cd03e8a3646576ccfaa3737562cd0384a3737472ccc8a3697373cf000001a214eff580a3657870cf000001a214f2b4a0a36b6579c44104010458640b6de549de1d5a6d6e29e1efc89997a3d355e41184a3151442e4548a442ff2aabda5ab699effdefb7b7afce6617715bf1e7679eec346bddb07aa7194a3736967c44052a17a65de879ca4b08e73ce4a3c47c0b605e7d3d301f0df5b3f627645c8318372d8f519e4c6edcb04d95dbc239a39d6651701f8f0f7fefa685f8b300c78d213"
DIRECTORY_WITHDRAWAL = "83a4626f6479c4908aa17601a475726c7391b868747470733a2f2f707573682e6578616d706c652e6f7267a46e6f6465d92830663066306630663066306630663066306630663066306630663066306630663066306630663066a3766572a5302e312e30a3636170cd03e8a3646576ccfaa3737562cd0384a3737472ccc8a3697373cf000001a214eff580a3657870cf000001a214eff580a36b6579c44104010458640b6de549de1d5a6d6e29e1efc89997a3d355e41184a3151442e4548a442ff2aabda5ab699effdefb7b7afce6617715bf1e7679eec346bddb07aa7194a3736967c4407e90b1858e46dc5c57cfb13705f61506ecc11e83b11de349c52cfef62d9bbb42033062f60b7ba5751a805caf2ad5cd92f93faedc75bbe1b0572aedede7725305"
OTHER_KEY = "BP4z9KsN6nGRTbVYI_c7VJSPQTBtkgcy27mlmlMoZIIgDll6e3vCYLocInmYWAmS6TlzAC8wEqKK6PBru3jl7A8"


def token_vector(text: str, vapid_key: str = "") -> dict:
    token = Token(text)
    vector = {"token": text, "token_bytes": token.raw.hex(), "version": token.version, "key": token.key().hex()}
    if token.version == 1:
        return vector
    vector["inbox_id"] = token.raw[1:17].hex()
    vector["recipient"] = token.recipient().hex()
    vector["lanes"] = [lane.hex() for lane in token.lanes()]
    if token.version == 3:
        vector["vapid_public_key"] = vapid_key
        vector["key_commitment"] = token.key_commitment().hex()
    return vector


def v3_token() -> str:
    commitment = sha256(b"dhtpush/v3/bound-key", unb64u(VAPID_PUBLIC))[:16]
    return b64u(bytes([3]) + bytes(range(32)) + commitment)


def envelope_vector(name: str, fields: dict) -> dict:
    packed = encode_envelope(fields)
    shown = {k: (v.hex() if isinstance(v, bytes) else v) for k, v in fields.items()}
    return {"name": name, "fields": shown, "msgpack": packed.hex(), "value_type": ENVELOPE_TYPE,
            "value_id": str(envelope_value_id(fields["id"]))}


def main() -> None:
    plaintext = b"hello from dhtpush"
    body = webpush_encrypt(plaintext, unb64u(UA_PUBLIC), unb64u(AUTH), unb64u(AS_PRIVATE), unb64u(SALT))
    message_id = bytes(range(0xa0, 0xb0))
    full = {"v": 1, "id": message_id, "ct": 1795647600123, "ttl": 3600, "urg": 3, "top": "news",
            "enc": "aes128gcm", "vap": VAPID_HEADER, "body": body}
    minimal = {"v": 1, "id": bytes(16), "ct": 0, "ttl": 0, "urg": 2, "body": b""}
    envelopes = [envelope_vector("every field", full), envelope_vector("only what is required", minimal)]

    def bad(name, packed):
        return {"name": name, "msgpack": packed.hex()}
    ok = dict(minimal)
    invalid = [
        bad("not a map", msgpack.packb([1, 2], use_bin_type=True)),
        bad("version 2", msgpack.packb({**ok, "v": 2}, use_bin_type=True)),
        bad("message id of 15 bytes", msgpack.packb({**ok, "id": bytes(15)}, use_bin_type=True)),
        bad("id as str, not bin", msgpack.packb({**ok, "id": "0123456789abcdef"}, use_bin_type=True)),
        bad("ttl above 2419200", msgpack.packb({**ok, "ttl": 2419201}, use_bin_type=True)),
        bad("urgency 4", msgpack.packb({**ok, "urg": 4}, use_bin_type=True)),
        bad("content coding aesgcm", msgpack.packb({**ok, "enc": "aesgcm"}, use_bin_type=True)),
        bad("topic of 33 characters", msgpack.packb({**ok, "top": "a" * 33}, use_bin_type=True)),
        bad("body of 4097 bytes", msgpack.packb({**ok, "body": bytes(4097)}, use_bin_type=True)),
        bad("trailing byte", msgpack.packb(ok, use_bin_type=True) + b"\x00"),
        bad("no creation time", msgpack.packb({k: v for k, v in ok.items() if k != "ct"}, use_bin_type=True)),
    ]
    unknown_key = {"name": "an unknown key is ignored", "msgpack": msgpack.packb({**ok, "zz": 1}, use_bin_type=True).hex(),
                   "fields": {k: (v.hex() if isinstance(v, bytes) else v) for k, v in minimal.items()}}

    v2 = "AgABAgMEBQYHCAkKCwwNDg8QERITFBUWFxgZGhscHR4f"
    v3 = v3_token()
    tokens = [token_vector("AXo_tKy6cLTTPlKzZtkdm_o"), token_vector(v2), token_vector(v3, VAPID_PUBLIC)]

    entries = [(bytes.fromhex(tokens[1]["recipient"]), bytes.fromhex(envelopes[1]["msgpack"])),
               (bytes.fromhex(tokens[2]["recipient"]), bytes.fromhex(envelopes[0]["msgpack"]))]
    batch = encode_batch(entries)
    batches = [{"name": "two messages of one inbox", "value_type": BATCH_TYPE, "msgpack": batch.hex(),
                "entries": [{"recipient": r.hex(), "envelope": e.hex()} for r, e in entries]}]

    origin = "https://127.0.0.1:8443"
    tampered = VAPID_HEADER.replace("eFq9WAqR", "eFq9WAqS")
    jwt = VAPID_HEADER[len("vapid t="):VAPID_HEADER.index(", k=")]
    reordered = f'VAPID k="{VAPID_PUBLIC}" ,t = "{jwt}"'
    # The same claims and signature under a JWS header whose typ is not JWT.
    other_typ = "vapid t=" + b64u(b'{"typ":"JWS","alg":"ES256"}') + jwt[jwt.index("."):] + ", k=" + VAPID_PUBLIC
    vapid = [
        {"name": "valid an hour before exp", "header": VAPID_HEADER, "audience": origin, "bound_key": VAPID_PUBLIC,
         "now": VAPID_EXP - 3600, "verdict": "valid",
         "claims": {"aud": origin, "exp": VAPID_EXP, "sub": "mailto:ops@example.com"}},
        {"name": "no key bound: any key that signs", "header": VAPID_HEADER, "audience": origin, "bound_key": "",
         "now": VAPID_EXP - 3600, "verdict": "valid"},
        {"name": "expired: now = exp", "header": VAPID_HEADER, "audience": origin, "bound_key": VAPID_PUBLIC,
         "now": VAPID_EXP, "verdict": "forbidden"},
        {"name": "exp more than 24 h ahead", "header": VAPID_HEADER, "audience": origin, "bound_key": VAPID_PUBLIC,
         "now": VAPID_EXP - 86401, "verdict": "forbidden"},
        {"name": "exp exactly 24 h ahead", "header": VAPID_HEADER, "audience": origin, "bound_key": VAPID_PUBLIC,
         "now": VAPID_EXP - 86400, "verdict": "valid"},
        {"name": "another origin", "header": VAPID_HEADER, "audience": "https://127.0.0.1:8444",
         "bound_key": VAPID_PUBLIC, "now": VAPID_EXP - 3600, "verdict": "forbidden"},
        {"name": "another bound key", "header": VAPID_HEADER, "audience": origin, "bound_key": OTHER_KEY,
         "now": VAPID_EXP - 3600, "verdict": "forbidden"},
        {"name": "signature changed", "header": tampered, "audience": origin, "bound_key": VAPID_PUBLIC,
         "now": VAPID_EXP - 3600, "verdict": "forbidden"},
        {"name": "no k", "header": VAPID_HEADER.split(", k=")[0], "audience": origin, "bound_key": "",
         "now": VAPID_EXP - 3600, "verdict": "malformed"},
        {"name": "k first, values quoted, scheme in capitals", "header": reordered, "audience": origin,
         "bound_key": VAPID_PUBLIC, "now": VAPID_EXP - 3600, "verdict": "valid"},
        {"name": "typ other than JWT", "header": other_typ, "audience": origin, "bound_key": VAPID_PUBLIC,
         "now": VAPID_EXP - 3600, "verdict": "malformed"},
        {"name": "the draft scheme WebPush", "header": "WebPush " + jwt, "audience": origin, "bound_key": "",
         "now": VAPID_EXP - 3600, "verdict": "malformed"},
        {"name": "over 1024 bytes", "header": VAPID_HEADER + ", x=" + "a" * 1024, "audience": origin,
         "bound_key": VAPID_PUBLIC, "now": VAPID_EXP - 3600, "verdict": "malformed"},
    ]

    webpush = [{"name": "the worked example", "ua_public": UA_PUBLIC, "ua_private": UA_PRIVATE, "auth": AUTH,
                "as_private": AS_PRIVATE, "salt": SALT, "record_size": 4096, "plaintext": plaintext.decode(),
                "body": b64u(body)},
               {"name": "RFC 8291 Appendix A", "ua_public": UA_PUBLIC, "ua_private": UA_PRIVATE, "auth": AUTH,
                "as_private": AS_PRIVATE, "salt": SALT, "record_size": 4096,
                "plaintext": "When I grow up, I want to be a watermelon",
                "body": b64u(webpush_encrypt(b"When I grow up, I want to be a watermelon", unb64u(UA_PUBLIC),
                                             unb64u(AUTH), unb64u(AS_PRIVATE), unb64u(SALT)))}]

    entry = bytes.fromhex(DIRECTORY_ENTRY)
    outer = msgpack.unpackb(entry, raw=False)
    identity = sha256(outer["key"])[:20].hex()
    broken_sig = msgpack.packb({**outer, "sig": outer["sig"][:-1] + bytes([outer["sig"][-1] ^ 1])}, use_bin_type=True)
    other_body = msgpack.packb({**DIRECTORY_BODY, "urls": ["https://evil.example.org"]}, use_bin_type=True)
    swapped_body = msgpack.packb({**outer, "body": other_body}, use_bin_type=True)
    issued, expires = DIRECTORY_BODY["iss"], DIRECTORY_BODY["exp"]

    def entry_vector(name, data, now, verdict):
        v = {"name": name, "entry": data.hex(), "now": now, "verdict": verdict}
        if verdict == "valid":
            v.update({"identity": identity, "fields": DIRECTORY_BODY})
        return v
    directory = {
        "key": directory_key().hex(), "value_type": DIRECTORY_TYPE, "user_type": "dhtpush/proxy",
        "entries": [
            entry_vector("valid a second after its issue", entry, issued + 1000, "valid"),
            entry_vector("valid 60 s before its issue (the allowed skew)", entry, issued - 60000, "valid"),
            entry_vector("issued more than 60 s ahead", entry, issued - 60001, "invalid"),
            entry_vector("expired: now = exp", entry, expires, "invalid"),
            entry_vector("signature changed", broken_sig, issued + 1000, "forbidden"),
            entry_vector("body changed after signing", swapped_body, issued + 1000, "forbidden"),
            entry_vector("withdrawn: exp = iss", bytes.fromhex(DIRECTORY_WITHDRAWAL), issued - 1000, "invalid"),
        ],
    }

    out = {
        "about": "dhtpush protocol test vectors (docs/protocol.md). Bytes are lowercase hex unless the "
                 "protocol itself uses base64url (tokens, keys, secrets, bodies on HTTP). Made by tests/conformance/make_vectors.py.",
        "network_id": NETWORK_ID,
        "value_types": {"envelope": ENVELOPE_TYPE, "batch": BATCH_TYPE},
        "tokens": tokens,
        "envelopes": envelopes,
        "envelope_with_unknown_key": unknown_key,
        "invalid_envelopes": invalid,
        "batches": batches,
        "vapid": vapid,
        "webpush": webpush,
        "directory": directory,
    }
    json.dump(out, sys.stdout, indent=1)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
