#include "dhtpush/node/envelope.h"

#include <msgpack.hpp>

#include <algorithm>
#include <chrono>
#include <functional>
#include <random>
#include <string>
#include <vector>

#include "dhtpush/crypto/base64url.h"

#include <catch2/catch.hpp>

using dhtpush::Errc;
using dhtpush::crypto::Bytes;
using namespace dhtpush::node;

namespace {

using Packer = msgpack::packer<msgpack::sbuffer>;
using PackValue = std::function<void(Packer&)>;

// One key/value of a hand-built envelope map.
struct Field {
    std::string key;
    PackValue value;
};

PackValue uintValue(std::uint64_t v) {
    return [v](Packer& pk) { pk.pack(v); };
}
PackValue intValue(std::int64_t v) {
    return [v](Packer& pk) { pk.pack(v); };
}
PackValue strValue(std::string s) {
    return [s](Packer& pk) { pk.pack(s); };
}
PackValue binValue(Bytes b) {
    return [b](Packer& pk) {
        pk.pack_bin(static_cast<std::uint32_t>(b.size()));
        pk.pack_bin_body(reinterpret_cast<const char*>(b.data()), static_cast<std::uint32_t>(b.size()));
    };
}

Bytes sequence(std::size_t size) {
    Bytes out(size);
    for (std::size_t i = 0; i < size; ++i) out[i] = static_cast<std::uint8_t>(i * 7 + 3);
    return out;
}

// A valid envelope as a list of fields, in the order encodeEnvelope writes them.
std::vector<Field> validFields() {
    return {
        {"v", uintValue(1)},
        {"id", binValue(sequence(MESSAGE_ID_BYTES))},
        {"ct", uintValue(1700000000000)},
        {"ttl", uintValue(60)},
        {"urg", uintValue(2)},
        {"top", strValue("topic-1")},
        {"enc", strValue("aes128gcm")},
        {"body", binValue(sequence(100))},
    };
}

std::vector<Field> without(std::vector<Field> fields, const std::string& key) {
    fields.erase(std::remove_if(fields.begin(), fields.end(), [&](const Field& f) { return f.key == key; }),
                 fields.end());
    return fields;
}

std::vector<Field> with(std::vector<Field> fields, const std::string& key, PackValue value) {
    for (auto& f : fields) {
        if (f.key == key) {
            f.value = std::move(value);
            return fields;
        }
    }
    fields.push_back({key, std::move(value)});
    return fields;
}

Bytes packMap(const std::vector<Field>& fields) {
    msgpack::sbuffer buffer;
    Packer pk(buffer);
    pk.pack_map(static_cast<std::uint32_t>(fields.size()));
    for (const auto& f : fields) {
        pk.pack(f.key);
        f.value(pk);
    }
    return Bytes(buffer.data(), buffer.data() + buffer.size());
}

template <class T>
Bytes packObject(const T& value) {
    msgpack::sbuffer buffer;
    msgpack::pack(buffer, value);
    return Bytes(buffer.data(), buffer.data() + buffer.size());
}

Envelope sampleEnvelope() {
    Envelope e;
    e.id = sequence(MESSAGE_ID_BYTES);
    e.createdMs = 1700000000123;
    e.ttlSeconds = 3600;
    e.urgency = Urgency::High;
    e.topic = "news_01-x";
    e.encoding = "aes128gcm";
    e.body = sequence(300);
    return e;
}

void requireSame(const Envelope& a, const Envelope& b) {
    REQUIRE(a.id == b.id);
    REQUIRE(a.createdMs == b.createdMs);
    REQUIRE(a.ttlSeconds == b.ttlSeconds);
    REQUIRE(a.urgency == b.urgency);
    REQUIRE(a.topic == b.topic);
    REQUIRE(a.encoding == b.encoding);
    REQUIRE(a.body == b.body);
    REQUIRE(a.vapid == b.vapid);
}

// Decodes and returns the error code; fails the test when decoding succeeds.
Errc decodeError(const Bytes& bytes) {
    const auto decoded = decodeEnvelope(bytes);
    REQUIRE_FALSE(decoded.ok());
    CHECK_FALSE(decoded.error().detail.empty());
    return decoded.error().code;
}

}  // namespace

TEST_CASE("envelope round-trips with every field set", "[node][envelope]") {
    const auto e = sampleEnvelope();
    const auto decoded = decodeEnvelope(encodeEnvelope(e));
    REQUIRE(decoded.ok());
    requireSame(*decoded, e);
}

TEST_CASE("envelope round-trips every urgency", "[node][envelope]") {
    for (const auto urgency : {Urgency::VeryLow, Urgency::Low, Urgency::Normal, Urgency::High}) {
        auto e = sampleEnvelope();
        e.urgency = urgency;
        const auto decoded = decodeEnvelope(encodeEnvelope(e));
        REQUIRE(decoded.ok());
        CHECK(decoded->urgency == urgency);
    }
}

TEST_CASE("envelope round-trips an empty body and a 4096-byte body", "[node][envelope]") {
    for (const std::size_t size : {std::size_t{0}, MAX_BODY_BYTES}) {
        CAPTURE(size);
        auto e = sampleEnvelope();
        e.body = sequence(size);
        const auto decoded = decodeEnvelope(encodeEnvelope(e));
        REQUIRE(decoded.ok());
        requireSame(*decoded, e);
    }
}

TEST_CASE("envelope round-trips without topic and encoding, and with the maximum TTL", "[node][envelope]") {
    auto e = sampleEnvelope();
    e.topic.clear();
    e.encoding.clear();
    e.ttlSeconds = MAX_TTL_SECONDS;
    e.createdMs = 0;
    const auto decoded = decodeEnvelope(encodeEnvelope(e));
    REQUIRE(decoded.ok());
    requireSame(*decoded, e);
}

TEST_CASE("a hand-built valid envelope decodes to its fields", "[node][envelope]") {
    const auto decoded = decodeEnvelope(packMap(validFields()));
    REQUIRE(decoded.ok());
    CHECK(decoded->id == sequence(MESSAGE_ID_BYTES));
    CHECK(decoded->createdMs == 1700000000000);
    CHECK(decoded->ttlSeconds == 60);
    CHECK(decoded->urgency == Urgency::Normal);
    CHECK(decoded->topic == "topic-1");
    CHECK(decoded->encoding == "aes128gcm");
    CHECK(decoded->body == sequence(100));
}

TEST_CASE("envelope fields may come in any order, and urgency defaults to normal", "[node][envelope]") {
    auto fields = without(validFields(), "urg");
    std::reverse(fields.begin(), fields.end());
    const auto decoded = decodeEnvelope(packMap(fields));
    REQUIRE(decoded.ok());
    CHECK(decoded->urgency == Urgency::Normal);
    CHECK(decoded->ttlSeconds == 60);
}

TEST_CASE("envelope decoding ignores unknown keys", "[node][envelope]") {
    auto fields = validFields();
    fields.push_back({"future", strValue("something")});
    fields.push_back({"x", uintValue(12345)});
    fields.push_back({"blob", binValue(sequence(10))});
    fields.push_back({"neg", intValue(-5)});
    fields.push_back({"nested", [](Packer& pk) {
                          pk.pack_map(1);
                          pk.pack(std::string("inner"));
                          pk.pack_array(2);
                          pk.pack(1);
                          pk.pack(std::string(1000, 'z'));
                      }});
    const auto decoded = decodeEnvelope(packMap(fields));
    REQUIRE(decoded.ok());
    CHECK(decoded->ttlSeconds == 60);
    CHECK(decoded->topic == "topic-1");
}

TEST_CASE("envelope decoding rejects empty input", "[node][envelope]") {
    CHECK(decodeError(Bytes{}) == Errc::Malformed);
    CHECK(decodeEnvelope(nullptr, 0).error().code == Errc::Malformed);
}

TEST_CASE("envelope decoding rejects bytes that are not msgpack", "[node][envelope]") {
    CHECK(decodeError(Bytes{0xc1}) == Errc::Malformed);  // 0xc1 is never used by msgpack
    CHECK(decodeError(Bytes{0xc1, 0x00, 0x01}) == Errc::Malformed);
    CHECK(decodeError(Bytes{0xde, 0xad, 0xbe, 0xef}) == Errc::Malformed);
}

TEST_CASE("envelope decoding rejects a root that is not a map", "[node][envelope]") {
    CHECK(decodeError(packObject(std::vector<int>{1, 2, 3})) == Errc::Invalid);
    CHECK(decodeError(packObject(std::string("hello"))) == Errc::Invalid);
    CHECK(decodeError(packObject(42)) == Errc::Invalid);
    CHECK(decodeError(Bytes{0xc0}) == Errc::Invalid);  // nil
}

TEST_CASE("envelope decoding rejects every truncation of a valid encoding", "[node][envelope]") {
    const auto full = encodeEnvelope(sampleEnvelope());
    REQUIRE(decodeEnvelope(full).ok());
    for (std::size_t length = 0; length < full.size(); ++length) {
        CAPTURE(length);
        const auto decoded = decodeEnvelope(full.data(), length);
        REQUIRE_FALSE(decoded.ok());
        REQUIRE(decoded.error().code == Errc::Malformed);
    }
}

TEST_CASE("envelope decoding rejects trailing bytes after the map", "[node][envelope]") {
    auto bytes = encodeEnvelope(sampleEnvelope());
    bytes.push_back(0x00);
    CHECK(decodeError(bytes) == Errc::Invalid);
    auto twice = encodeEnvelope(sampleEnvelope());
    const auto second = encodeEnvelope(sampleEnvelope());
    twice.insert(twice.end(), second.begin(), second.end());
    CHECK(decodeError(twice) == Errc::Invalid);
}

TEST_CASE("envelope decoding rejects a missing or unknown version", "[node][envelope]") {
    CHECK(decodeError(packMap(with(validFields(), "v", uintValue(2)))) == Errc::Invalid);
    CHECK(decodeError(packMap(with(validFields(), "v", uintValue(0)))) == Errc::Invalid);
    CHECK(decodeError(packMap(without(validFields(), "v"))) == Errc::Invalid);
}

TEST_CASE("envelope decoding rejects a message id that is not 16 bytes", "[node][envelope]") {
    CHECK(decodeError(packMap(with(validFields(), "id", binValue(sequence(15))))) == Errc::Invalid);
    CHECK(decodeError(packMap(with(validFields(), "id", binValue(sequence(17))))) == Errc::Invalid);
    CHECK(decodeError(packMap(with(validFields(), "id", binValue(Bytes{})))) == Errc::Invalid);
    CHECK(decodeError(packMap(without(validFields(), "id"))) == Errc::Invalid);
}

TEST_CASE("envelope decoding rejects a missing creation time", "[node][envelope]") {
    CHECK(decodeError(packMap(without(validFields(), "ct"))) == Errc::Invalid);
}

TEST_CASE("envelope decoding rejects a missing TTL or one above MAX_TTL_SECONDS", "[node][envelope]") {
    CHECK(decodeError(packMap(without(validFields(), "ttl"))) == Errc::Invalid);
    CHECK(decodeError(packMap(with(validFields(), "ttl", uintValue(MAX_TTL_SECONDS + 1)))) == Errc::Invalid);
    CHECK(decodeError(packMap(with(validFields(), "ttl", uintValue(UINT64_MAX)))) == Errc::Invalid);
    CHECK(decodeEnvelope(packMap(with(validFields(), "ttl", uintValue(MAX_TTL_SECONDS)))).ok());
    CHECK(decodeEnvelope(packMap(with(validFields(), "ttl", uintValue(0)))).ok());
}

TEST_CASE("envelope decoding rejects an urgency above 3", "[node][envelope]") {
    CHECK(decodeError(packMap(with(validFields(), "urg", uintValue(4)))) == Errc::Invalid);
    CHECK(decodeError(packMap(with(validFields(), "urg", uintValue(255)))) == Errc::Invalid);
    CHECK(decodeEnvelope(packMap(with(validFields(), "urg", uintValue(3)))).ok());
}

TEST_CASE("envelope decoding rejects an invalid topic", "[node][envelope]") {
    CHECK(decodeError(packMap(with(validFields(), "top", strValue(std::string(33, 'a'))))) == Errc::Invalid);
    CHECK(decodeError(packMap(with(validFields(), "top", strValue("abc=")))) == Errc::Invalid);
    CHECK(decodeError(packMap(with(validFields(), "top", strValue("a b")))) == Errc::Invalid);
    CHECK(decodeEnvelope(packMap(with(validFields(), "top", strValue(std::string(32, 'a'))))).ok());
}

TEST_CASE("envelope decoding rejects an unsupported content encoding", "[node][envelope]") {
    CHECK(decodeError(packMap(with(validFields(), "enc", strValue("gzip")))) == Errc::Invalid);
    CHECK(decodeError(packMap(with(validFields(), "enc", strValue("aesgcm")))) == Errc::Invalid);
    CHECK(decodeError(packMap(with(validFields(), "enc", strValue("AES128GCM")))) == Errc::Invalid);
    CHECK(decodeEnvelope(packMap(with(validFields(), "enc", strValue("")))).ok());
}

TEST_CASE("envelope decoding rejects a body above 4096 bytes", "[node][envelope]") {
    CHECK(decodeEnvelope(packMap(with(validFields(), "body", binValue(sequence(MAX_BODY_BYTES))))).ok());
    CHECK(decodeError(packMap(with(validFields(), "body", binValue(sequence(MAX_BODY_BYTES + 1))))) ==
          Errc::Invalid);
}

TEST_CASE("envelope round-trips the sender's VAPID header and omits it when empty", "[node][envelope]") {
    auto e = sampleEnvelope();
    e.vapid = "vapid t=eyJ0eXAiOiJKV1QiLCJhbGciOiJFUzI1NiJ9.e30.c2ln, k=BKey";
    const auto decoded = decodeEnvelope(encodeEnvelope(e));
    REQUIRE(decoded.ok());
    requireSame(*decoded, e);

    e.vapid.clear();
    const auto plain = encodeEnvelope(e);
    const std::string key = "vap";
    CHECK(std::search(plain.begin(), plain.end(), key.begin(), key.end()) == plain.end());
    const auto decodedPlain = decodeEnvelope(plain);
    REQUIRE(decodedPlain.ok());
    CHECK(decodedPlain->vapid.empty());
}

TEST_CASE("envelope decoding accepts a VAPID header up to 1024 bytes and rejects a longer one or a wrong type",
          "[node][envelope]") {
    const auto atLimit = decodeEnvelope(packMap(with(validFields(), "vap", strValue(std::string(MAX_VAPID_BYTES, 'a')))));
    REQUIRE(atLimit.ok());
    CHECK(atLimit->vapid.size() == MAX_VAPID_BYTES);
    const auto tooLong = decodeEnvelope(packMap(with(validFields(), "vap", strValue(std::string(MAX_VAPID_BYTES + 1, 'a')))));
    CHECK_FALSE(tooLong.ok());
    CHECK(decodeError(packMap(with(validFields(), "vap", binValue(sequence(10))))) == Errc::Invalid);
    CHECK(decodeError(packMap(with(validFields(), "vap", uintValue(1)))) == Errc::Invalid);
}

TEST_CASE("envelope decoding rejects a field of the wrong type", "[node][envelope]") {
    CHECK(decodeError(packMap(with(validFields(), "v", strValue("1")))) == Errc::Invalid);
    CHECK(decodeError(packMap(with(validFields(), "id", strValue(std::string(16, 'a'))))) == Errc::Invalid);
    CHECK(decodeError(packMap(with(validFields(), "ct", intValue(-1)))) == Errc::Invalid);
    CHECK(decodeError(packMap(with(validFields(), "ttl", strValue("60")))) == Errc::Invalid);
    CHECK(decodeError(packMap(with(validFields(), "ttl", [](Packer& pk) { pk.pack_double(60.5); }))) == Errc::Invalid);
    CHECK(decodeError(packMap(with(validFields(), "ttl", [](Packer& pk) { pk.pack_float(60.5f); }))) == Errc::Invalid);
    CHECK(decodeError(packMap(with(validFields(), "ttl", [](Packer& pk) { pk.pack_true(); }))) == Errc::Invalid);
    CHECK(decodeError(packMap(with(validFields(), "urg", strValue("high")))) == Errc::Invalid);
    CHECK(decodeError(packMap(with(validFields(), "top", binValue(sequence(3))))) == Errc::Invalid);
    CHECK(decodeError(packMap(with(validFields(), "enc", uintValue(1)))) == Errc::Invalid);
    CHECK(decodeError(packMap(with(validFields(), "body", strValue("hello")))) == Errc::Invalid);
    CHECK(decodeError(packMap(with(validFields(), "body", [](Packer& pk) { pk.pack_nil(); }))) == Errc::Invalid);
}

TEST_CASE("envelope decoding rejects a key that is not a string", "[node][envelope]") {
    msgpack::sbuffer buffer;
    Packer pk(buffer);
    const auto fields = validFields();
    pk.pack_map(static_cast<std::uint32_t>(fields.size() + 1));
    for (const auto& f : fields) {
        pk.pack(f.key);
        f.value(pk);
    }
    pk.pack(7);
    pk.pack(7);
    CHECK(decodeError(Bytes(buffer.data(), buffer.data() + buffer.size())) == Errc::Invalid);
}

TEST_CASE("envelope decoding rejects input above 8192 bytes", "[node][envelope]") {
    CHECK(decodeError(Bytes(MAX_ENVELOPE_BYTES + 1, 0)) == Errc::TooLarge);
    // Even a valid map padded past the limit with an unknown key.
    auto fields = validFields();
    for (int i = 0; i < 20; ++i) fields.push_back({"pad" + std::to_string(i), binValue(sequence(500))});
    const auto big = packMap(fields);
    REQUIRE(big.size() > MAX_ENVELOPE_BYTES);
    CHECK(decodeError(big) == Errc::TooLarge);
}

TEST_CASE("envelope decoding never throws on random bytes or mutated envelopes", "[node][envelope][fuzz]") {
    std::mt19937 rng(0x5eed);
    std::uniform_int_distribution<int> byte(0, 255);
    const auto valid = encodeEnvelope(sampleEnvelope());
    const auto handBuilt = packMap(validFields());
    int throws = 0, accepted = 0;
    auto tryDecode = [&](const Bytes& input) {
        try {
            const auto decoded = decodeEnvelope(input);
            if (decoded.ok()) {
                ++accepted;
                // Whatever is accepted satisfies the invariants and re-encodes to an equal envelope.
                REQUIRE(decoded->id.size() == MESSAGE_ID_BYTES);
                REQUIRE(decoded->ttlSeconds <= MAX_TTL_SECONDS);
                REQUIRE(decoded->body.size() <= MAX_BODY_BYTES);
                REQUIRE(isValidTopic(decoded->topic));
                REQUIRE(isSupportedEncoding(decoded->encoding));
                const auto again = decodeEnvelope(encodeEnvelope(*decoded));
                REQUIRE(again.ok());
                requireSame(*again, *decoded);
            }
        } catch (const Catch::TestFailureException&) {
            throw;
        } catch (...) {
            ++throws;
        }
    };
    for (int i = 0; i < 10000; ++i) {
        Bytes input(std::uniform_int_distribution<std::size_t>(0, 200)(rng));
        for (auto& b : input) b = static_cast<std::uint8_t>(byte(rng));
        // Start a third of them with a map header so the decoder gets past the first byte.
        if (!input.empty() && i % 3 == 0) input[0] = static_cast<std::uint8_t>(0x80 | (input[0] & 0x0f));
        tryDecode(input);
    }
    for (int i = 0; i < 10000; ++i) {
        Bytes input = (i % 2 == 0) ? valid : handBuilt;
        const int mutations = std::uniform_int_distribution<int>(1, 4)(rng);
        for (int m = 0; m < mutations && !input.empty(); ++m) {
            const auto at = std::uniform_int_distribution<std::size_t>(0, input.size() - 1)(rng);
            switch (std::uniform_int_distribution<int>(0, 4)(rng)) {
                case 0: input[at] = static_cast<std::uint8_t>(byte(rng)); break;
                case 1: input[at] = static_cast<std::uint8_t>(input[at] ^ (1u << (byte(rng) % 8))); break;
                case 2: input.insert(input.begin() + static_cast<std::ptrdiff_t>(at), static_cast<std::uint8_t>(byte(rng))); break;
                case 3: input.erase(input.begin() + static_cast<std::ptrdiff_t>(at)); break;
                default: input.resize(at); break;
            }
        }
        tryDecode(input);
    }
    CHECK(throws == 0);
    // Single-byte changes of a valid encoding are sometimes still valid: the loop reached the checks.
    CHECK(accepted > 0);
}

TEST_CASE("urgencyName and parseUrgency round-trip the RFC 8030 names", "[node][envelope]") {
    CHECK(urgencyName(Urgency::VeryLow) == "very-low");
    CHECK(urgencyName(Urgency::Low) == "low");
    CHECK(urgencyName(Urgency::Normal) == "normal");
    CHECK(urgencyName(Urgency::High) == "high");
    for (const auto u : {Urgency::VeryLow, Urgency::Low, Urgency::Normal, Urgency::High}) {
        const auto parsed = parseUrgency(urgencyName(u));
        REQUIRE(parsed);
        CHECK(*parsed == u);
    }
    CHECK_FALSE(parseUrgency(""));
    CHECK_FALSE(parseUrgency("urgent"));
    CHECK_FALSE(parseUrgency("High"));
    CHECK_FALSE(parseUrgency("very_low"));
    CHECK_FALSE(parseUrgency("normal "));
}

TEST_CASE("isValidTopic accepts up to 32 base64url characters", "[node][envelope]") {
    CHECK(isValidTopic(""));
    CHECK(isValidTopic("a"));
    CHECK(isValidTopic("AZaz09-_"));
    CHECK(isValidTopic(std::string(32, 'x')));
    CHECK_FALSE(isValidTopic(std::string(33, 'x')));
    for (const char* bad : {"a=", "a+b", "a/b", "a b", "a.b", "ä", "a\n", "a:b"}) {
        CAPTURE(bad);
        CHECK_FALSE(isValidTopic(bad));
    }
    CHECK_FALSE(isValidTopic(std::string("a\0b", 3)));
}

TEST_CASE("isSupportedEncoding accepts no coding and aes128gcm only", "[node][envelope]") {
    CHECK(isSupportedEncoding(""));
    CHECK(isSupportedEncoding("aes128gcm"));
    CHECK_FALSE(isSupportedEncoding("aesgcm"));
    CHECK_FALSE(isSupportedEncoding("gzip"));
}

TEST_CASE("expiredAt is true from created + TTL on", "[node][envelope]") {
    using std::chrono::milliseconds;
    using std::chrono::system_clock;
    Envelope e;
    e.createdMs = 1700000000000;
    e.ttlSeconds = 10;
    const auto created = system_clock::time_point(milliseconds(1700000000000));
    CHECK_FALSE(e.expiredAt(created - milliseconds(5000)));
    CHECK_FALSE(e.expiredAt(created));
    CHECK_FALSE(e.expiredAt(created + milliseconds(9999)));
    CHECK(e.expiredAt(created + milliseconds(10000)));
    CHECK(e.expiredAt(created + std::chrono::hours(24)));
    e.ttlSeconds = 0;
    CHECK(e.expiredAt(created));
    CHECK_FALSE(e.expiredAt(created - milliseconds(1)));
}

TEST_CASE("expiredAt is false before the Unix epoch", "[node][envelope]") {
    Envelope e;
    e.createdMs = 0;
    e.ttlSeconds = 0;
    CHECK_FALSE(e.expiredAt(std::chrono::system_clock::time_point(std::chrono::milliseconds(-1000))));
    CHECK(e.expiredAt(std::chrono::system_clock::time_point(std::chrono::milliseconds(0))));
}

TEST_CASE("Envelope::create makes a fresh random id and stamps the current time", "[node][envelope]") {
    const auto before = nowMs();
    const auto a = Envelope::create(60, Urgency::Low, "t", "aes128gcm", Bytes{1, 2, 3});
    const auto after = nowMs();
    const auto b = Envelope::create(60, Urgency::Low, "t", "aes128gcm", Bytes{1, 2, 3});
    CHECK(a.id.size() == MESSAGE_ID_BYTES);
    CHECK(a.id != b.id);
    CHECK(a.createdMs >= before);
    CHECK(a.createdMs <= after);
    CHECK(a.ttlSeconds == 60);
    CHECK(a.urgency == Urgency::Low);
    CHECK(a.topic == "t");
    CHECK(a.encoding == "aes128gcm");
    CHECK(a.body == Bytes{1, 2, 3});
    CHECK(a.idText() == dhtpush::crypto::base64urlEncode(a.id));
    CHECK(a.idText().size() == 22);
}
