#pragma once
#include <opendht/crypto.h>

#include <string>

#include "dhtpush/expected.h"

namespace dhtpush::node {

// Loads the node's EC identity from dir/node-identity.{pem,crt}, creating it on first use.
Expected<dht::crypto::Identity> loadOrCreateIdentity(const std::string& dir);

}  // namespace dhtpush::node
