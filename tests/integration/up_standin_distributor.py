#!/usr/bin/python3
"""A minimal UnifiedPush distributor (Distributor2 only), written from the specification, that
is not dhtpush's: the app library must work with any distributor. It owns
org.unifiedpush.Distributor.standin; after a Register it calls the app's
Connector2.NewEndpoint with a made-up endpoint. For the test it also serves
org.dhtpush.Test.Send(s p256dh, s auth, s text, s id) -> s: encrypts TEXT to those keys (RFC
8291, as an app server would), calls the app's Connector2.Message with that message id (the
same id again plays a distributor that stopped before it learnt the app had it) and returns
the id the app's reply names. Writes "registered SERVICE TOKEN" lines to --log."""
import argparse
import os
import signal
import sys

import dbus
import dbus.service
from dbus.mainloop.glib import DBusGMainLoop
from gi.repository import GLib
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
import base64

NAME = "org.unifiedpush.Distributor.standin"


def unb64u(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def hkdf(salt, ikm, info, length):
    return HKDF(algorithm=hashes.SHA256(), length=length, salt=salt, info=info).derive(ikm)


def encrypt(p256dh, auth, text):
    ua_public = unb64u(p256dh)
    sender = ec.generate_private_key(ec.SECP256R1())
    as_public = sender.public_key().public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
    shared = sender.exchange(ec.ECDH(), ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), ua_public))
    ikm = hkdf(unb64u(auth), shared, b"WebPush: info\x00" + ua_public + as_public, 32)
    salt = os.urandom(16)
    key = hkdf(salt, ikm, b"Content-Encoding: aes128gcm\x00", 16)
    nonce = hkdf(salt, ikm, b"Content-Encoding: nonce\x00", 12)
    record = AESGCM(key).encrypt(nonce, text.encode() + b"\x02", None)
    return salt + (4096).to_bytes(4, "big") + bytes([len(as_public)]) + as_public + record


class Standin(dbus.service.Object):
    def __init__(self, bus, log):
        super().__init__(bus, "/org/unifiedpush/Distributor")
        self.bus, self.log, self.apps = bus, log, {}

    @dbus.service.method("org.unifiedpush.Distributor2", in_signature="a{sv}", out_signature="a{sv}")
    def Register(self, args):
        service, token = str(args["service"]), str(args["token"])
        self.apps[service] = token
        with open(self.log, "a") as f:
            f.write("registered %s %s\n" % (service, token))
        GLib.idle_add(self._new_endpoint, service, token)  # after this reply
        return dbus.Dictionary({"success": "REGISTRATION_SUCCEEDED"}, signature="sv")

    @dbus.service.method("org.unifiedpush.Distributor2", in_signature="a{sv}", out_signature="a{sv}")
    def Unregister(self, args):
        return dbus.Dictionary({}, signature="sv")

    def _new_endpoint(self, service, token):
        app = self.bus.get_object(service, "/org/unifiedpush/Connector", introspect=False)
        app.NewEndpoint(dbus.Dictionary({"token": token, "endpoint": "https://standin.example/wp/1"}, signature="sv"),
                        dbus_interface="org.unifiedpush.Connector2", signature="a{sv}")
        return False

    @dbus.service.method("org.dhtpush.Test", in_signature="ssss", out_signature="s")
    def Send(self, p256dh, auth, text, message_id):
        (service, token), = self.apps.items()
        app = self.bus.get_object(service, "/org/unifiedpush/Connector", introspect=False)
        body = dbus.ByteArray(encrypt(str(p256dh), str(auth), str(text)))
        reply = app.Message(dbus.Dictionary({"token": token, "message": body, "id": message_id}, signature="sv"),
                            dbus_interface="org.unifiedpush.Connector2", signature="a{sv}")
        return str(reply.get("id", ""))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--log", required=True)
    args = parser.parse_args()
    DBusGMainLoop(set_as_default=True)
    bus = dbus.SessionBus()
    standin = Standin(bus, args.log)
    name = dbus.service.BusName(NAME, bus, do_not_queue=True)
    loop = GLib.MainLoop()
    GLib.unix_signal_add(GLib.PRIORITY_DEFAULT, signal.SIGTERM, loop.quit)
    open(args.log, "a").close()
    loop.run()
    del standin, name
    return 0


if __name__ == "__main__":
    sys.exit(main())
