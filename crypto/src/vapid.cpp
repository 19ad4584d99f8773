#include "dhtpush/crypto/vapid.h"

#include <json/json.h>

#include <exception>
#include <limits>
#include <memory>
#include <optional>

#include "dhtpush/crypto/base64url.h"
#include "dhtpush/crypto/bytes.h"
#include "dhtpush/crypto/es256.h"
#include "dhtpush/crypto/secret.h"
#include "dhtpush/crypto/subscription_keys.h"

namespace dhtpush::crypto {
namespace {

constexpr std::size_t SCALAR_SIZE = 32;
constexpr std::size_t SIGNATURE_SIZE = ES256_SIGNATURE_SIZE;
constexpr std::string_view JWT_HEADER = R"({"typ":"JWT","alg":"ES256"})";

std::string toJson(const Json::Value& value) {
    Json::StreamWriterBuilder builder;
    builder["indentation"] = "";
    return Json::writeString(builder, value);
}

// A JSON object, strictly parsed (no comments, no duplicate keys, nothing after it).
Expected<Json::Value> parseObject(const Bytes& text, const char* what) {
    Json::CharReaderBuilder builder;
    Json::CharReaderBuilder::strictMode(&builder.settings_);
    builder["stackLimit"] = 32;
    const std::unique_ptr<Json::CharReader> reader(builder.newCharReader());
    Json::Value root;
    std::string errors;
    const auto* begin = reinterpret_cast<const char*>(text.data());
    bool parsed = false;
    try {
        parsed = reader->parse(begin, begin + text.size(), &root, &errors);
    } catch (const std::exception&) {
        // why: jsoncpp throws, rather than failing, when stackLimit is exceeded.
        parsed = false;
    }
    if (!parsed || !root.isObject()) return makeError(Errc::Malformed, std::string("JWT ") + what + " is not a JSON object");
    return root;
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

bool equalsIgnoreCase(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        const auto lower = [](char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; };
        if (lower(a[i]) != lower(b[i])) return false;
    }
    return true;
}

struct AuthParams {
    std::string_view t;
    std::string_view k;
};

// `vapid` 1*SP auth-param *( OWS "," OWS auth-param ), auth-param = name BWS "=" BWS value.
Expected<AuthParams> parseAuthParams(std::string_view value) {
    value = trim(value);
    const auto space = value.find_first_of(" \t");
    const auto scheme = value.substr(0, space);
    if (equalsIgnoreCase(scheme, "WebPush"))
        return makeError(Errc::Malformed, "the draft 'WebPush <JWT>' form is not supported; use 'vapid t=<JWT>, k=<key>'");
    if (!equalsIgnoreCase(scheme, "vapid"))
        return makeError(Errc::Malformed, "authorization scheme is not 'vapid'");
    std::string_view rest = space == std::string_view::npos ? std::string_view{} : value.substr(space);

    AuthParams params;
    while (!rest.empty()) {
        const auto comma = rest.find(',');
        const auto element = trim(rest.substr(0, comma));
        rest = comma == std::string_view::npos ? std::string_view{} : rest.substr(comma + 1);
        if (element.empty()) continue;  // empty list elements are allowed (RFC 9110 §5.6.1)
        const auto eq = element.find('=');
        if (eq == std::string_view::npos) return makeError(Errc::Malformed, "authorization parameter without '='");
        const auto name = trim(element.substr(0, eq));
        auto v = trim(element.substr(eq + 1));
        if (!v.empty() && v.front() == '"') {
            if (v.size() < 2 || v.back() != '"') return makeError(Errc::Malformed, "unterminated quoted parameter");
            v = v.substr(1, v.size() - 2);
            if (v.find_first_of("\"\\") != std::string_view::npos)
                return makeError(Errc::Malformed, "escapes are not allowed in a quoted parameter");
        }
        std::string_view* slot = equalsIgnoreCase(name, "t") ? &params.t : equalsIgnoreCase(name, "k") ? &params.k : nullptr;
        if (!slot) continue;  // unknown parameters are ignored (RFC 9110 §11.2)
        if (!slot->empty()) return makeError(Errc::Malformed, "authorization parameter '" + std::string(name) + "' repeated");
        if (v.empty()) return makeError(Errc::Malformed, "authorization parameter '" + std::string(name) + "' is empty");
        *slot = v;
    }
    if (params.t.empty()) return makeError(Errc::Malformed, "vapid authorization has no 't' parameter");
    if (params.k.empty()) return makeError(Errc::Malformed, "vapid authorization has no 'k' parameter");
    return params;
}

struct Jwt {
    Bytes header;
    Bytes claims;
    Bytes signature;
    std::string_view signingInput;   // "header.claims" as sent
};

Expected<Jwt> splitJwt(std::string_view token) {
    const auto first = token.find('.');
    const auto second = first == std::string_view::npos ? first : token.find('.', first + 1);
    if (second == std::string_view::npos || token.find('.', second + 1) != std::string_view::npos)
        return makeError(Errc::Malformed, "JWT does not have three parts");
    auto header = base64urlDecode(token.substr(0, first));
    auto claims = base64urlDecode(token.substr(first + 1, second - first - 1));
    auto signature = base64urlDecode(token.substr(second + 1));
    if (!header || !claims || !signature || header->empty() || claims->empty())
        return makeError(Errc::Malformed, "JWT part is not base64url");
    if (signature->size() != SIGNATURE_SIZE) return makeError(Errc::Malformed, "ES256 signature is not 64 bytes");
    return Jwt{std::move(*header), std::move(*claims), std::move(*signature), token.substr(0, second)};
}

Status checkJoseHeader(const Json::Value& header) {
    const auto& alg = header["alg"];
    if (!alg.isString()) return makeError(Errc::Malformed, "JWT header has no 'alg'");
    if (alg.asString() != "ES256") return makeError(Errc::Forbidden, "JWT 'alg' is not ES256");
    if (header.isMember("typ") && !(header["typ"].isString() && equalsIgnoreCase(header["typ"].asString(), "JWT")))
        return makeError(Errc::Malformed, "JWT 'typ' is not JWT");
    if (header.isMember("crit")) return makeError(Errc::Forbidden, "JWT 'crit' extensions are not supported");
    return success();
}

Status checkLifetime(std::int64_t exp, std::int64_t now) {
    if (exp <= now) return makeError(Errc::Forbidden, "VAPID JWT has expired");
    const bool tooFar = now <= std::numeric_limits<std::int64_t>::max() - VAPID_MAX_LIFETIME_SECONDS &&
                        exp > now + VAPID_MAX_LIFETIME_SECONDS;
    if (tooFar) return makeError(Errc::Forbidden, "VAPID JWT expires more than 24 hours from now");
    return success();
}

}  // namespace

Expected<VapidKeys> generateVapidKeys() {
    auto keys = generateSubscriptionKeys();
    if (!keys) return keys.error();
    wipe(keys->auth);
    return VapidKeys{std::move(keys->p256dh), std::move(keys->privateKey)};
}

Expected<std::string> vapidAuthorization(const VapidKeys& keys, const std::string& audience,
                                         const std::string& subject, std::int64_t expiresAtUnix) {
    if (audience.empty()) return makeError(Errc::Invalid, "VAPID audience is empty");
    if (subject.rfind("mailto:", 0) != 0 && subject.rfind("https:", 0) != 0)
        return makeError(Errc::Invalid, "VAPID subject is not a mailto: or https: URI");
    const auto point = base64urlDecode(keys.publicKey);
    if (!isUncompressedP256Point(point)) return makeError(Errc::Invalid, "VAPID public key is not a 65-byte uncompressed point");
    // From here every path wipes the scalar (signEs256 does it as soon as GnuTLS has a copy).
    auto scalar = base64urlDecode(keys.privateKey);
    if (!scalar || scalar->size() != SCALAR_SIZE) {
        if (scalar) wipe(*scalar);
        return makeError(Errc::Invalid, "VAPID private key is not 32 bytes of base64url");
    }

    Json::Value claims(Json::objectValue);
    claims["aud"] = audience;
    claims["exp"] = Json::Int64{expiresAtUnix};
    claims["sub"] = subject;
    const std::string signingInput = base64urlEncode(JWT_HEADER) + "." + base64urlEncode(toJson(claims));

    auto signature = signEs256(*point, *scalar, signingInput);
    if (!signature) return signature.error();
    // why: GnuTLS does not check that the public key belongs to the scalar; a mismatch would
    // only show at the push service, as a refusal without a reason.
    const auto verified = verifyEs256(*point, signingInput, *signature);
    if (!verified || !*verified) return makeError(Errc::Invalid, "VAPID private key does not match the public key");
    return "vapid t=" + signingInput + "." + base64urlEncode(*signature) + ", k=" + keys.publicKey;
}

Expected<VapidClaims> verifyVapidAuthorization(std::string_view headerValue,
                                               const std::string& expectedPublicKeyB64,
                                               const std::string& expectedAudience, std::int64_t nowUnix) {
    if (headerValue.size() > VAPID_MAX_HEADER_SIZE) return makeError(Errc::Malformed, "authorization header is too long");
    const auto params = parseAuthParams(headerValue);
    if (!params) return params.error();

    auto keyText = params->k;
    // why: some senders pad k; the key is the same, so accept up to two '='.
    for (int i = 0; i < 2 && !keyText.empty() && keyText.back() == '='; ++i) keyText.remove_suffix(1);
    const auto point = base64urlDecode(keyText);
    if (!isUncompressedP256Point(point)) return makeError(Errc::Malformed, "k is not a 65-byte uncompressed point in base64url");
    if (!expectedPublicKeyB64.empty()) {
        const auto expected = base64urlDecode(expectedPublicKeyB64);
        if (!isUncompressedP256Point(expected)) return makeError(Errc::Invalid, "expected VAPID key is not a 65-byte point");
        const std::string_view a(reinterpret_cast<const char*>(point->data()), point->size());
        const std::string_view b(reinterpret_cast<const char*>(expected->data()), expected->size());
        if (!constantTimeEqual(a, b)) return makeError(Errc::Forbidden, "k is not the VAPID key of this subscription");
    }

    const auto jwt = splitJwt(params->t);
    if (!jwt) return jwt.error();
    const auto header = parseObject(jwt->header, "header");
    if (!header) return header.error();
    if (auto st = checkJoseHeader(*header); !st) return st.error();
    const auto claims = parseObject(jwt->claims, "claims");
    if (!claims) return claims.error();

    const auto verified = verifyEs256(*point, jwt->signingInput, jwt->signature);
    if (!verified) return verified.error();
    if (!*verified) return makeError(Errc::Forbidden, "VAPID signature does not verify with k");

    const auto& aud = (*claims)["aud"];
    const auto& exp = (*claims)["exp"];
    const auto& sub = (*claims)["sub"];
    if (!aud.isString()) return makeError(Errc::Malformed, "JWT claim 'aud' is missing or not a string");
    // why: an integer literal only; jsoncpp's isInt64() also accepts 1e9 or 1700000000.0.
    const bool expIsInteger = (exp.type() == Json::intValue || exp.type() == Json::uintValue) && exp.isInt64();
    if (!expIsInteger) return makeError(Errc::Malformed, "JWT claim 'exp' is missing or not an integer");
    if (!sub.isString() || sub.asString().empty()) return makeError(Errc::Malformed, "JWT claim 'sub' is missing or empty");
    if (aud.asString() != expectedAudience) return makeError(Errc::Forbidden, "JWT audience is not this push service");
    if (auto st = checkLifetime(exp.asInt64(), nowUnix); !st) return st.error();
    return VapidClaims{aud.asString(), exp.asInt64(), sub.asString(), base64urlEncode(*point)};
}

}  // namespace dhtpush::crypto
