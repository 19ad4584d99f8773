#pragma once
#include <opendht/crypto.h>

#include <string>

#include "dhtpush/crypto/vapid.h"
#include "dhtpush/expected.h"

namespace dhtpush::node {

// Loads the node's EC identity from dir/node-identity.{pem,crt}, creating it on first use.
Expected<dht::crypto::Identity> loadOrCreateIdentity(const std::string& dir);

// Loads the key the node signs its proxy directory entry with (ES256: OpenDHT 2.4 cannot check
// a value signed by an EC identity) from dir/directory-key, creating it on first use (0600).
// Empty dir: a new key, kept nowhere.
Expected<crypto::VapidKeys> loadOrCreateSigningKey(const std::string& dir);

}  // namespace dhtpush::node
