#pragma once
// The crypto side of the dhtpush command line: VAPID keys, and what `send` needs to encrypt
// (RFC 8291) and sign (RFC 8292) a message.
#include <map>
#include <string>

#include "dhtpush/client/webpush_sender.h"
#include "dhtpush/expected.h"

namespace dhtpush::client {

// `dhtpush vapid keygen [--out FILE]`: a fresh key pair as {"publicKey","privateKey"}, on
// stdout, or into FILE (mode 0600, never overwritten) with only the public key on stdout.
int vapidKeygenCommand(const std::string& outPath);

// Fills `push` from the send options: --p256dh and --auth, or --subscription FILE (a
// PushSubscription JSON; it also gives the endpoint when `endpoint` is empty), and --vapid
// FILE with --subject. Invalid: half a key set, both a subscription file and keys, --vapid
// without --subject (or the reverse), unreadable or malformed files.
Status applyPushCryptoOptions(const std::map<std::string, std::string>& options, std::string& endpoint,
                              PushOptions& push);

}  // namespace dhtpush::client
