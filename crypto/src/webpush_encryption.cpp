#include "dhtpush/crypto/webpush_encryption.h"

#include <gnutls/gnutls.h>
#include <nettle/bignum.h>
#include <nettle/ecc-curve.h>
#include <nettle/ecc.h>
#include <nettle/hmac.h>

#include <array>
#include <string_view>

#include "dhtpush/crypto/base64url.h"
#include "dhtpush/crypto/ece.h"
#include "dhtpush/crypto/random.h"
#include "dhtpush/crypto/secret.h"
#include "dhtpush/crypto/subscription_keys.h"

namespace dhtpush::crypto {
namespace {

constexpr std::size_t POINT_SIZE = 65;
constexpr std::size_t SCALAR_SIZE = 32;
constexpr std::size_t AUTH_SIZE = 16;
constexpr std::string_view KEY_INFO{"WebPush: info\0", 14};

const ecc_curve* p256() { return nettle_get_secp_256r1(); }

// A GMP integer whose limbs are zeroed before it is freed (it may hold a scalar or secret).
class Mpz {
public:
    Mpz() { mpz_init(value_); }
    Mpz(const std::uint8_t* data, std::size_t size) { nettle_mpz_init_set_str_256_u(value_, size, data); }
    Mpz(const Mpz&) = delete;
    Mpz& operator=(const Mpz&) = delete;
    ~Mpz() {
        if (const auto n = mpz_size(value_); n > 0) {
            gnutls_memset(mpz_limbs_write(value_, static_cast<mp_size_t>(n)), 0, n * sizeof(mp_limb_t));
            mpz_limbs_finish(value_, 0);
        }
        mpz_clear(value_);
    }
    mpz_ptr get() { return value_; }

private:
    mpz_t value_;
};

class Point {
public:
    Point() { ecc_point_init(&point_, p256()); }
    Point(const Point&) = delete;
    Point& operator=(const Point&) = delete;
    ~Point() {
        gnutls_memset(point_.p, 0, 2 * static_cast<std::size_t>(ecc_size(p256())) * sizeof(mp_limb_t));
        ecc_point_clear(&point_);
    }

    // Accepts a 65-byte uncompressed point on P-256 only (nettle checks the curve equation).
    bool set(const Bytes& encoded) {
        if (encoded.size() != POINT_SIZE || encoded[0] != 0x04) return false;
        Mpz x(encoded.data() + 1, 32), y(encoded.data() + 33, 32);
        return ecc_point_set(&point_, x.get(), y.get()) == 1;
    }
    Bytes x() const {
        Mpz x, y;
        ecc_point_get(&point_, x.get(), y.get());
        Bytes out(32);
        nettle_mpz_get_str_256(out.size(), out.data(), x.get());
        return out;
    }
    Bytes encoded() const {
        Mpz x, y;
        ecc_point_get(&point_, x.get(), y.get());
        Bytes out(POINT_SIZE);
        out[0] = 0x04;
        nettle_mpz_get_str_256(32, out.data() + 1, x.get());
        nettle_mpz_get_str_256(32, out.data() + 33, y.get());
        return out;
    }
    ecc_point* raw() { return &point_; }
    const ecc_point* raw() const { return &point_; }

private:
    ecc_point point_;
};

class Scalar {
public:
    Scalar() { ecc_scalar_init(&scalar_, p256()); }
    Scalar(const Scalar&) = delete;
    Scalar& operator=(const Scalar&) = delete;
    ~Scalar() {
        gnutls_memset(scalar_.p, 0, static_cast<std::size_t>(ecc_size(p256())) * sizeof(mp_limb_t));
        ecc_scalar_clear(&scalar_);
    }
    // Accepts 32 bytes in [1, n-1] only.
    bool set(const Bytes& encoded) {
        if (encoded.size() != SCALAR_SIZE) return false;
        Mpz k(encoded.data(), encoded.size());
        return ecc_scalar_set(&scalar_, k.get()) == 1;
    }
    const ecc_scalar* raw() const { return &scalar_; }

private:
    ecc_scalar scalar_;
};

Expected<Bytes> decodeFixed(const std::string& text, std::size_t size, const char* what) {
    auto bytes = base64urlDecode(text);
    if (!bytes || bytes->size() != size) {
        if (bytes) wipe(*bytes);
        return makeError(Errc::Invalid, std::string(what) + " is not " + std::to_string(size) + " bytes of base64url");
    }
    return std::move(*bytes);
}

// IKM of RFC 8291 §3.3: HKDF with L = 32, so Expand is a single HMAC block.
Bytes webpushIkm(const Bytes& auth, Bytes& ecdhSecret, const Bytes& uaPublic, const Bytes& asPublic) {
    std::array<std::uint8_t, SHA256_DIGEST_SIZE> prk{};
    hmac_sha256_ctx ctx;
    hmac_sha256_set_key(&ctx, auth.size(), auth.data());
    hmac_sha256_update(&ctx, ecdhSecret.size(), ecdhSecret.data());
    hmac_sha256_digest(&ctx, prk.size(), prk.data());
    wipe(ecdhSecret);

    hmac_sha256_set_key(&ctx, prk.size(), prk.data());
    hmac_sha256_update(&ctx, KEY_INFO.size(), reinterpret_cast<const std::uint8_t*>(KEY_INFO.data()));
    hmac_sha256_update(&ctx, uaPublic.size(), uaPublic.data());
    hmac_sha256_update(&ctx, asPublic.size(), asPublic.data());
    const std::uint8_t counter = 1;
    hmac_sha256_update(&ctx, 1, &counter);
    Bytes ikm(SHA256_DIGEST_SIZE);
    hmac_sha256_digest(&ctx, ikm.size(), ikm.data());
    gnutls_memset(prk.data(), 0, prk.size());
    gnutls_memset(&ctx, 0, sizeof ctx);
    return ikm;
}

// The x coordinate of k * P: both already validated.
Bytes ecdh(const Scalar& k, const Point& p) {
    Point shared;
    ecc_point_mul(shared.raw(), k.raw(), p.raw());
    return shared.x();
}

struct UaKeys {
    Bytes publicKey;
    Point point;
    Bytes auth;
    ~UaKeys() { wipe(auth); }
};

Status loadUaKeys(const std::string& uaPublicB64, const std::string& authB64, UaKeys& keys) {
    auto pub = decodeFixed(uaPublicB64, POINT_SIZE, "p256dh");
    if (!pub) return pub.error();
    if (!keys.point.set(*pub)) return makeError(Errc::Invalid, "p256dh is not an uncompressed P-256 point");
    keys.publicKey = std::move(*pub);
    auto auth = decodeFixed(authB64, AUTH_SIZE, "auth");
    if (!auth) return auth.error();
    keys.auth = std::move(*auth);
    return success();
}

Status loadScalar(const std::string& b64, const char* what, Scalar& scalar) {
    auto bytes = decodeFixed(b64, SCALAR_SIZE, what);
    if (!bytes) return bytes.error();
    const bool ok = scalar.set(*bytes);
    wipe(*bytes);
    if (!ok) return makeError(Errc::Invalid, std::string(what) + " is not a P-256 scalar");
    return success();
}

}  // namespace

Expected<Bytes> webpushEncryptWith(const Bytes& plaintext, const std::string& uaPublicB64,
                                   const std::string& authB64, const std::string& asPrivateB64,
                                   const Bytes& salt, std::size_t padding) {
    UaKeys ua;
    if (auto st = loadUaKeys(uaPublicB64, authB64, ua); !st) return st.error();
    Scalar asPrivate;
    if (auto st = loadScalar(asPrivateB64, "application server private key", asPrivate); !st) return st.error();
    if (salt.size() != ece::SALT_SIZE) return makeError(Errc::Invalid, "salt must be 16 bytes");
    if (plaintext.size() > WEBPUSH_MAX_PLAINTEXT_SIZE || padding > WEBPUSH_MAX_PLAINTEXT_SIZE - plaintext.size())
        return makeError(Errc::TooLarge, "plaintext and padding exceed 3993 bytes");

    Point asPublic;
    ecc_point_mul_g(asPublic.raw(), asPrivate.raw());
    const Bytes asPublicBytes = asPublic.encoded();
    Bytes secret = ecdh(asPrivate, ua.point);
    Bytes ikm = webpushIkm(ua.auth, secret, ua.publicKey, asPublicBytes);
    auto body = ece::encrypt(plaintext, ikm, salt, WEBPUSH_RECORD_SIZE, asPublicBytes, padding);
    wipe(ikm);
    return body;
}

Expected<Bytes> webpushEncrypt(const Bytes& plaintext, const std::string& uaPublicB64,
                               const std::string& authB64, std::size_t padding) {
    // GnuTLS makes the ephemeral pair; it is used once and wiped.
    auto ephemeral = generateSubscriptionKeys();
    if (!ephemeral) return ephemeral.error();
    wipe(ephemeral->auth);
    auto body = webpushEncryptWith(plaintext, uaPublicB64, authB64, ephemeral->privateKey,
                                   randomBytes(ece::SALT_SIZE), padding);
    wipe(ephemeral->privateKey);
    return body;
}

Expected<Bytes> webpushDecrypt(const Bytes& body, const std::string& uaPublicB64,
                               const std::string& uaPrivateB64, const std::string& authB64) {
    UaKeys ua;
    if (auto st = loadUaKeys(uaPublicB64, authB64, ua); !st) return st.error();
    Scalar uaPrivate;
    if (auto st = loadScalar(uaPrivateB64, "private key", uaPrivate); !st) return st.error();

    const auto header = ece::parseHeader(body);
    if (!header) return header.error();
    if (header->keyId.size() != POINT_SIZE || header->keyId[0] != 0x04)
        return makeError(Errc::Malformed, "key id is not a 65-byte uncompressed public key");
    Point asPublic;
    if (!asPublic.set(header->keyId)) return makeError(Errc::Invalid, "key id is not a point on P-256");

    Bytes secret = ecdh(uaPrivate, asPublic);
    Bytes ikm = webpushIkm(ua.auth, secret, ua.publicKey, header->keyId);
    auto plaintext = ece::decrypt(body, ikm);
    wipe(ikm);
    return plaintext;
}

}  // namespace dhtpush::crypto
