#include "node_identity.h"

#include <fstream>

#include "temp_dir.h"

#include <catch2/catch.hpp>

// Regression (review): a crash between writing the node's key and its certificate left the
// key alone, and every later start refused to write it again.
TEST_CASE("a lone leftover key file does not keep a node from making its identity", "[node][identity]") {
    const dhtpush::test::TempDir dir;
    std::ofstream(dir.path() / "node-identity.pem") << "a key without its certificate";
    const auto identity = dhtpush::node::loadOrCreateIdentity(dir.path().string());
    REQUIRE(identity.ok());
    // And it is kept: the next start reads the same one.
    const auto again = dhtpush::node::loadOrCreateIdentity(dir.path().string());
    REQUIRE(again.ok());
    CHECK(again->second->getId() == identity->second->getId());
}
