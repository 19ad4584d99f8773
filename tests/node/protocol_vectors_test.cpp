// docs/protocol/vectors.json, made from docs/protocol.md without dhtpush code
// (docs/protocol/make_vectors.py), checked against this code: the document and the code
// cannot drift apart. The Python peer (tests/conformance/) checks the same file.
#include <fstream>
#include <sstream>
#include <string>

#include "dhtpush/crypto/base64url.h"
#include "dhtpush/crypto/inbox_lanes.h"
#include "dhtpush/crypto/token.h"
#include "dhtpush/crypto/vapid.h"
#include "dhtpush/crypto/webpush_encryption.h"
#include "dhtpush/node/dht_node.h"
#include "dhtpush/node/envelope.h"
#include "dhtpush/node/envelope_batch.h"
#include "dhtpush/node/json.h"
#include "dhtpush/node/proxy_record.h"
#include "dhtpush/node/push_value_type.h"

#include <catch2/catch.hpp>

using namespace dhtpush;

namespace {

const Json::Value& vectors() {
    static const Json::Value root = [] {
        std::ifstream file(std::string(DHTPUSH_SOURCE_DIR) + "/docs/protocol/vectors.json");
        std::stringstream text;
        text << file.rdbuf();
        auto parsed = node::parseJson(text.str());
        REQUIRE(parsed.ok());
        return *parsed;
    }();
    return root;
}

std::string hex(const std::uint8_t* data, std::size_t size) {
    static const char* digits = "0123456789abcdef";
    std::string out;
    for (std::size_t i = 0; i < size; ++i) {
        out += digits[data[i] >> 4];
        out += digits[data[i] & 15];
    }
    return out;
}
template <class Container>
std::string hex(const Container& bytes) {
    return hex(bytes.data(), bytes.size());
}

crypto::Bytes unhex(const std::string& text) {
    crypto::Bytes out;
    for (std::size_t i = 0; i + 1 < text.size(); i += 2) out.push_back(static_cast<std::uint8_t>(std::stoi(text.substr(i, 2), nullptr, 16)));
    return out;
}

// The fields of a vector's envelope against a decoded one.
void checkFields(const Json::Value& fields, const node::Envelope& e) {
    CHECK(hex(e.id) == fields["id"].asString());
    CHECK(e.createdMs == fields["ct"].asUInt64());
    CHECK(e.ttlSeconds == fields["ttl"].asUInt());
    CHECK(static_cast<unsigned>(e.urgency) == fields["urg"].asUInt());
    CHECK(e.topic == fields.get("top", "").asString());
    CHECK(e.encoding == fields.get("enc", "").asString());
    CHECK(e.vapid == fields.get("vap", "").asString());
    CHECK(hex(e.body) == fields["body"].asString());
}

}  // namespace

TEST_CASE("protocol vectors: the network id and the value types", "[protocol]") {
    CHECK(vectors()["network_id"].asUInt() == node::DEFAULT_NETWORK_ID);
    CHECK(vectors()["value_types"]["envelope"].asUInt() == node::PUSH_VALUE_TYPE_ID);
    CHECK(vectors()["value_types"]["batch"].asUInt() == node::PUSH_BATCH_VALUE_TYPE_ID);
}

TEST_CASE("protocol vectors: token to DHT key, recipient, lanes and key commitment", "[protocol]") {
    REQUIRE(vectors()["tokens"].size() == 3);
    for (const auto& v : vectors()["tokens"]) {
        const auto text = v["token"].asString();
        CAPTURE(text);
        const auto token = crypto::SubscriptionToken::parse(text);
        REQUIRE(token);
        CHECK(token->version() == v["version"].asUInt());
        CHECK(hex(*crypto::base64urlDecode(text)) == v["token_bytes"].asString());
        CHECK(hex(token->dhtKey()) == v["key"].asString());
        if (token->version() == 1) {
            CHECK(token->recipient().empty());
            continue;
        }
        CHECK(hex(token->recipient()) == v["recipient"].asString());
        REQUIRE(v["lanes"].size() == crypto::INBOX_LANES);
        for (unsigned lane = 0; lane < crypto::INBOX_LANES; ++lane)
            CHECK(hex(crypto::inboxLaneKey(token->dhtKey(), lane)) == v["lanes"][lane].asString());
        if (token->version() == 3) {
            CHECK(hex(token->boundKeyCommitment()) == v["key_commitment"].asString());
            const auto key = crypto::base64urlDecode(v["vapid_public_key"].asString());
            REQUIRE(key);
            CHECK(hex(crypto::SubscriptionToken::keyCommitment(*key)) == v["key_commitment"].asString());
        }
    }
}

TEST_CASE("protocol vectors: envelopes decode to their fields and encode to their bytes", "[protocol]") {
    REQUIRE(vectors()["envelopes"].size() >= 2);
    for (const auto& v : vectors()["envelopes"]) {
        CAPTURE(v["name"].asString());
        const auto bytes = unhex(v["msgpack"].asString());
        const auto envelope = node::decodeEnvelope(bytes);
        REQUIRE(envelope.ok());
        checkFields(v["fields"], *envelope);
        CHECK(hex(node::encodeEnvelope(*envelope)) == v["msgpack"].asString());
        CHECK(std::to_string(node::envelopeValueId(*envelope)) == v["value_id"].asString());
    }
    const auto& unknown = vectors()["envelope_with_unknown_key"];
    const auto withUnknown = node::decodeEnvelope(unhex(unknown["msgpack"].asString()));
    REQUIRE(withUnknown.ok());
    checkFields(unknown["fields"], *withUnknown);
}

TEST_CASE("protocol vectors: invalid envelopes are refused", "[protocol]") {
    REQUIRE(vectors()["invalid_envelopes"].size() >= 10);
    for (const auto& v : vectors()["invalid_envelopes"]) {
        CAPTURE(v["name"].asString());
        CHECK_FALSE(node::decodeEnvelope(unhex(v["msgpack"].asString())).ok());
    }
}

TEST_CASE("protocol vectors: a batch decodes to its entries and encodes to its bytes", "[protocol]") {
    for (const auto& v : vectors()["batches"]) {
        CAPTURE(v["name"].asString());
        const auto bytes = unhex(v["msgpack"].asString());
        const auto batch = node::decodeBatch(bytes.data(), bytes.size());
        REQUIRE(batch.ok());
        REQUIRE(batch->size() == v["entries"].size());
        std::vector<node::BatchEntry> entries;
        for (Json::ArrayIndex i = 0; i < v["entries"].size(); ++i) {
            CHECK(hex((*batch)[i].recipient) == v["entries"][i]["recipient"].asString());
            CHECK(hex(node::encodeEnvelope((*batch)[i].envelope)) == v["entries"][i]["envelope"].asString());
            entries.push_back({unhex(v["entries"][i]["recipient"].asString()), unhex(v["entries"][i]["envelope"].asString())});
        }
        CHECK(hex(node::encodeBatch(entries)) == v["msgpack"].asString());
    }
}

TEST_CASE("protocol vectors: proxy directory entries and their verdicts at a given time", "[protocol][directory]") {
    const auto& directory = vectors()["directory"];
    const auto key = node::proxyDirectoryKey();
    CHECK(hex(key) == directory["key"].asString());
    CHECK(node::PROXY_RECORD_VALUE_TYPE_ID == directory["value_type"].asUInt());
    CHECK(std::string(node::PROXY_RECORD_USER_TYPE) == directory["user_type"].asString());
    REQUIRE(directory["entries"].size() >= 6);
    for (const auto& v : directory["entries"]) {
        CAPTURE(v["name"].asString());
        const auto read = node::readSignedProxyRecord(unhex(v["entry"].asString()), v["now"].asInt64());
        const auto verdict = v["verdict"].asString();
        if (verdict == "valid") {
            REQUIRE(read.ok());
            const auto& fields = v["fields"];
            CHECK(read->identity == v["identity"].asString());
            CHECK(read->urls.front() == fields["urls"][0].asString());
            CHECK(read->nodeId == fields["node"].asString());
            CHECK(read->devices == fields["dev"].asUInt64());
            CHECK(read->issuedUnixMs == fields["iss"].asInt64());
            CHECK(read->expiresUnixMs == fields["exp"].asInt64());
        } else {
            REQUIRE_FALSE(read.ok());
            CHECK(read.error().code == (verdict == "forbidden" ? Errc::Forbidden : Errc::Invalid));
        }
    }
}

TEST_CASE("protocol vectors: VAPID verdicts at a given time", "[protocol]") {
    REQUIRE(vectors()["vapid"].size() >= 8);
    for (const auto& v : vectors()["vapid"]) {
        CAPTURE(v["name"].asString());
        const auto claims = crypto::verifyVapidAuthorization(v["header"].asString(), v["bound_key"].asString(),
                                                             v["audience"].asString(), v["now"].asInt64());
        const auto verdict = v["verdict"].asString();
        if (verdict == "valid") {
            REQUIRE(claims.ok());
            if (v.isMember("claims")) {
                CHECK(claims->audience == v["claims"]["aud"].asString());
                CHECK(claims->expiresAt == v["claims"]["exp"].asInt64());
                CHECK(claims->subject == v["claims"]["sub"].asString());
            }
        } else {
            REQUIRE_FALSE(claims.ok());
            CHECK(claims.error().code == (verdict == "forbidden" ? Errc::Forbidden : Errc::Malformed));
        }
    }
}

TEST_CASE("protocol vectors: RFC 8291 messages from every private input", "[protocol]") {
    REQUIRE(vectors()["webpush"].size() >= 2);
    for (const auto& v : vectors()["webpush"]) {
        CAPTURE(v["name"].asString());
        const auto text = v["plaintext"].asString();
        const crypto::Bytes plaintext(text.begin(), text.end());
        const auto salt = crypto::base64urlDecode(v["salt"].asString());
        REQUIRE(salt);
        const auto body = crypto::webpushEncryptWith(plaintext, v["ua_public"].asString(), v["auth"].asString(),
                                                     v["as_private"].asString(), *salt);
        REQUIRE(body.ok());
        CHECK(crypto::base64urlEncode(*body) == v["body"].asString());
        const auto decrypted = crypto::webpushDecrypt(*crypto::base64urlDecode(v["body"].asString()),
                                                      v["ua_public"].asString(), v["ua_private"].asString(),
                                                      v["auth"].asString());
        REQUIRE(decrypted.ok());
        CHECK(*decrypted == plaintext);
    }
}

TEST_CASE("a peer's value of OpenDHT's USER_DATA type is taken as the push type its user_type names", "[protocol]") {
    dht::Value envelope(dht::ValueType::USER_DATA.id, crypto::Bytes{1}, 5);
    envelope.user_type = node::PUSH_ENVELOPE_USER_TYPE;
    CHECK(node::pushValueKind(envelope) == node::PushValueKind::Envelope);
    dht::Value batch(dht::ValueType::USER_DATA.id, crypto::Bytes{1}, 5);
    batch.user_type = node::PUSH_BATCH_USER_TYPE;
    CHECK(node::pushValueKind(batch) == node::PushValueKind::Batch);
    dht::Value other(dht::ValueType::USER_DATA.id, crypto::Bytes{1}, 5);
    other.user_type = "text/plain";
    CHECK(node::pushValueKind(other) == node::PushValueKind::None);
    dht::Value typed(node::PUSH_BATCH_VALUE_TYPE_ID, crypto::Bytes{1}, 5);
    CHECK(node::pushValueKind(typed) == node::PushValueKind::Batch);
    // The user type names a kind only on USER_DATA: another type keeps its own meaning.
    dht::Value mislabeled(0x1234, crypto::Bytes{1}, 5);
    mislabeled.user_type = node::PUSH_ENVELOPE_USER_TYPE;
    CHECK(node::pushValueKind(mislabeled) == node::PushValueKind::None);
}
