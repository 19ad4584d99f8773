#!/usr/bin/python3
"""Stand-ins for UPower and NetworkManager on a test's private system bus, written from their
D-Bus documentation: the properties dhtpush-distributor follows to choose the lowest message
urgency (UnifiedPush's D-Bus specification ranks device states by power and network).

Owns org.freedesktop.UPower (OnBattery at /org/freedesktop/UPower, WarningLevel at
/org/freedesktop/UPower/devices/DisplayDevice) and org.freedesktop.NetworkManager (Metered at
/org/freedesktop/NetworkManager), answers org.freedesktop.DBus.Properties Get and GetAll, and
emits PropertiesChanged when the test calls org.dhtpush.Test.SetPower(b on_battery,
u warning_level, u metered) on /org/freedesktop/UPower. Touches --ready once it owns both names.
"""
import argparse
import signal
import sys

import dbus
import dbus.service
from dbus.mainloop.glib import DBusGMainLoop
from gi.repository import GLib

PROPERTIES = "org.freedesktop.DBus.Properties"


class PropertiesObject(dbus.service.Object):
    """One object with one interface of read-only properties."""

    def __init__(self, bus, path, interface, values):
        super().__init__(bus, path)
        self.interface = interface
        self.values = values

    @dbus.service.method(PROPERTIES, in_signature="ss", out_signature="v")
    def Get(self, interface, name):
        if interface != self.interface or name not in self.values:
            raise dbus.exceptions.DBusException("no such property", name="org.freedesktop.DBus.Error.InvalidArgs")
        return self.values[name]

    @dbus.service.method(PROPERTIES, in_signature="s", out_signature="a{sv}")
    def GetAll(self, interface):
        return self.values if interface == self.interface else {}

    @dbus.service.signal(PROPERTIES, signature="sa{sv}as")
    def PropertiesChanged(self, interface, changed, invalidated):
        pass

    def update(self, name, value):
        if self.values[name] != value:
            self.values[name] = value
            self.PropertiesChanged(self.interface, {name: value}, [])


class UPower(PropertiesObject):
    def __init__(self, bus, on_battery, display, network):
        super().__init__(bus, "/org/freedesktop/UPower", "org.freedesktop.UPower",
                         {"OnBattery": dbus.Boolean(on_battery)})
        self.display = display
        self.network = network

    @dbus.service.method("org.dhtpush.Test", in_signature="buu", out_signature="")
    def SetPower(self, on_battery, warning_level, metered):
        self.update("OnBattery", dbus.Boolean(on_battery))
        self.display.update("WarningLevel", dbus.UInt32(warning_level))
        self.network.update("Metered", dbus.UInt32(metered))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--address", required=True, help="the private system bus")
    parser.add_argument("--ready", required=True)
    parser.add_argument("--on-battery", action="store_true")
    parser.add_argument("--warning-level", type=int, default=1)
    parser.add_argument("--metered", type=int, default=2)  # NM_METERED_NO
    args = parser.parse_args()
    DBusGMainLoop(set_as_default=True)
    bus = dbus.bus.BusConnection(args.address)
    display = PropertiesObject(bus, "/org/freedesktop/UPower/devices/DisplayDevice", "org.freedesktop.UPower.Device",
                               {"WarningLevel": dbus.UInt32(args.warning_level)})
    network = PropertiesObject(bus, "/org/freedesktop/NetworkManager", "org.freedesktop.NetworkManager",
                               {"Metered": dbus.UInt32(args.metered)})
    upower = UPower(bus, args.on_battery, display, network)
    names = [dbus.service.BusName(n, bus, do_not_queue=True)
             for n in ("org.freedesktop.UPower", "org.freedesktop.NetworkManager")]
    loop = GLib.MainLoop()
    GLib.unix_signal_add(GLib.PRIORITY_DEFAULT, signal.SIGTERM, loop.quit)
    with open(args.ready, "w") as ready:
        ready.write("ready\n")
    loop.run()
    del upower, names
    return 0


if __name__ == "__main__":
    sys.exit(main())
