#!/usr/bin/python3
"""A UnifiedPush D-Bus connector (an app), written from the specification alone
(https://unifiedpush.org/developers/spec/dbus), independent of dhtpush's code: the other side
of the distributor in tests/integration/distributor_test.sh.

It owns --name on the session bus, serves org.unifiedpush.Connector1 and Connector2 at
/org/unifiedpush/Connector, keeps an RFC 8291 key pair and auth secret in DIR/keys.json, and
registers with the distributor (unless --serve-only). Into DIR it writes:
  register.txt       the Register result ("REGISTRATION_SUCCEEDED" or "REGISTRATION_FAILED REASON")
  subscription.json  {"endpoint", "keys": {"p256dh", "auth"}} at each NewEndpoint
  messages.txt       "ID TEXT" per message, decrypted here (RFC 8291 / RFC 8188 aes128gcm)
  events.txt         "unregistered TOKEN"
  receiving.txt      with --slow, the id of each Message as it comes in (before the wait)
With --unregister it calls Unregister for --token and exits.
"""
import argparse
import base64
import json
import os
import signal
import sys
import time

import dbus
import dbus.service
from dbus.mainloop.glib import DBusGMainLoop
from gi.repository import GLib
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

PATH = "/org/unifiedpush/Connector"
DIST_PATH = "/org/unifiedpush/Distributor"


def b64u(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64u(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def hkdf(salt, ikm, info, length):
    return HKDF(algorithm=hashes.SHA256(), length=length, salt=salt, info=info).derive(ikm)


class Keys:
    def __init__(self, directory):
        path = os.path.join(directory, "keys.json")
        if os.path.exists(path):
            saved = json.load(open(path))
            self.private = serialization.load_pem_private_key(saved["private"].encode(), None)
            self.auth = unb64u(saved["auth"])
        else:
            self.private = ec.generate_private_key(ec.SECP256R1())
            self.auth = os.urandom(16)
            pem = self.private.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                             serialization.NoEncryption()).decode()
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as f:
                json.dump({"private": pem, "auth": b64u(self.auth)}, f)
        self.public = self.private.public_key().public_bytes(serialization.Encoding.X962,
                                                             serialization.PublicFormat.UncompressedPoint)

    def decrypt(self, body):
        salt, rs, idlen = body[:16], int.from_bytes(body[16:20], "big"), body[20]
        sender = body[21:21 + idlen]
        ciphertext = body[21 + idlen:]
        if rs < 18 or len(ciphertext) > rs:
            raise ValueError("not one aes128gcm record")
        shared = self.private.exchange(ec.ECDH(), ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), sender))
        ikm = hkdf(self.auth, shared, b"WebPush: info\x00" + self.public + sender, 32)
        key = hkdf(salt, ikm, b"Content-Encoding: aes128gcm\x00", 16)
        nonce = hkdf(salt, ikm, b"Content-Encoding: nonce\x00", 12)
        padded = AESGCM(key).decrypt(nonce, ciphertext, None)
        end = padded.rstrip(b"\x00")
        if not end or end[-1] != 2:
            raise ValueError("bad padding delimiter")
        return end[:-1]


def append(directory, name, line):
    with open(os.path.join(directory, name), "a") as f:
        f.write(line + "\n")


def write_atomically(directory, name, text):
    tmp = os.path.join(directory, name + ".tmp")
    with open(tmp, "w") as f:
        f.write(text)
    os.rename(tmp, os.path.join(directory, name))


class ConnectorV1(dbus.service.Object):
    """Version 1, and what both versions share. python-dbus names a D-Bus member after the
    Python method, so version 2 (the same members on another interface) is a subclass:
    a call is dispatched to the class in the hierarchy that serves its interface."""

    def __init__(self, bus, args, keys):
        super().__init__(bus, PATH)
        self.args, self.keys = args, keys

    def _known(self, token):
        return token == self.args.token  # the spec: a call with a token we do not know is ignored

    def _endpoint(self, token, endpoint):
        if not self._known(token):
            return
        write_atomically(self.args.dir, "subscription.json", json.dumps(
            {"endpoint": str(endpoint), "keys": {"p256dh": b64u(self.keys.public), "auth": b64u(self.keys.auth)}}))

    def _message(self, token, message, message_id):
        if not self._known(token):
            return
        try:
            text = self.keys.decrypt(bytes(bytearray(message))).decode()
        except Exception as e:  # a body we cannot decrypt is not shown
            text = "UNDECRYPTABLE " + type(e).__name__
        append(self.args.dir, "messages.txt", "%s %s" % (message_id, text))

    # Version 1: the distributor expects no replies.
    @dbus.service.method("org.unifiedpush.Connector1", in_signature="ss", out_signature="")
    def NewEndpoint(self, token, endpoint):
        self._endpoint(str(token), str(endpoint))

    @dbus.service.method("org.unifiedpush.Connector1", in_signature="says", out_signature="")
    def Message(self, token, message, message_id):
        self._message(str(token), message, str(message_id))

    @dbus.service.method("org.unifiedpush.Connector1", in_signature="s", out_signature="")
    def Unregistered(self, token):
        append(self.args.dir, "events.txt", "unregistered " + str(token))


class Connector(ConnectorV1):
    """Version 2: a{sv} in and out; Message's reply names the id it took."""

    @dbus.service.method("org.unifiedpush.Connector2", in_signature="a{sv}", out_signature="a{sv}")
    def NewEndpoint(self, args):
        self._endpoint(str(args.get("token", "")), str(args.get("endpoint", "")))
        return dbus.Dictionary({}, signature="sv")

    @dbus.service.method("org.unifiedpush.Connector2", in_signature="a{sv}", out_signature="a{sv}")
    def Message(self, args):
        if self.args.no_ack:  # an app that takes no message (its reply names none)
            return dbus.Dictionary({}, signature="sv")
        if self.args.slow:  # an app busy elsewhere: says it has the call, answers late
            append(self.args.dir, "receiving.txt", str(args.get("id", "")))
            time.sleep(self.args.slow)
        self._message(str(args.get("token", "")), args.get("message", []), str(args.get("id", "")))
        reply = {"id": dbus.String(args["id"])} if "id" in args else {}
        return dbus.Dictionary(reply, signature="sv")

    @dbus.service.method("org.unifiedpush.Connector2", in_signature="a{sv}", out_signature="a{sv}")
    def Unregistered(self, args):
        append(self.args.dir, "events.txt", "unregistered " + str(args.get("token", "")))
        return dbus.Dictionary({}, signature="sv")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--name", required=True)
    parser.add_argument("--token", required=True)
    parser.add_argument("--dir", required=True)
    parser.add_argument("--version", type=int, default=2)
    parser.add_argument("--vapid", default="")
    parser.add_argument("--distributor", default="org.unifiedpush.Distributor.dhtpush")
    parser.add_argument("--serve-only", action="store_true")
    parser.add_argument("--unregister", action="store_true")
    parser.add_argument("--no-ack", action="store_true")
    parser.add_argument("--slow", type=float, default=0, help="seconds each v2 Message takes")
    args = parser.parse_args()
    os.makedirs(args.dir, exist_ok=True)
    DBusGMainLoop(set_as_default=True)
    bus = dbus.SessionBus()
    # No introspection first: a call made while it is pending waits for a main loop.
    distributor = bus.get_object(args.distributor, DIST_PATH, introspect=False)
    if args.unregister:
        if args.version == 1:
            distributor.Unregister(args.token, dbus_interface="org.unifiedpush.Distributor1", signature="s",
                                   ignore_reply=True)
            bus.flush()  # no reply to wait for: the call must leave before this process does
        else:
            distributor.Unregister({"token": args.token}, dbus_interface="org.unifiedpush.Distributor2", signature="a{sv}")
        return 0
    keys = Keys(args.dir)
    connector = Connector(bus, args, keys)
    name = dbus.service.BusName(args.name, bus, do_not_queue=True)
    loop = GLib.MainLoop()
    GLib.unix_signal_add(GLib.PRIORITY_DEFAULT, signal.SIGTERM, loop.quit)

    def registered(*result):
        if args.version == 1:
            text = " ".join(str(r) for r in result).strip()
        else:
            res = result[0]
            text = (str(res.get("success", "")) + " " + str(res.get("reason", ""))).strip()
        write_atomically(args.dir, "register.txt", text + "\n")

    def failed(error):
        write_atomically(args.dir, "register.txt", "ERROR " + error.get_dbus_name() + "\n")

    if not args.serve_only:
        if args.version == 1:
            distributor.Register(args.name, args.token, "a test app", dbus_interface="org.unifiedpush.Distributor1",
                                 signature="sss",
                                 reply_handler=registered, error_handler=failed)
        else:
            request = {"service": args.name, "token": args.token, "description": "a test app"}
            if args.vapid:
                request["vapid"] = args.vapid
            distributor.Register(dbus.Dictionary(request, signature="sv"), dbus_interface="org.unifiedpush.Distributor2",
                                 reply_handler=registered, error_handler=failed)
    loop.run()
    del connector, name
    return 0


if __name__ == "__main__":
    sys.exit(main())
