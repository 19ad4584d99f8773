#include "dhtpush/crypto/es256.h"

#include <gnutls/abstract.h>
#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>

#include <memory>

#include "dhtpush/crypto/secret.h"

namespace dhtpush::crypto {
namespace {

constexpr std::size_t POINT_SIZE = 65;
constexpr std::size_t COORD_SIZE = 32;

struct PrivkeyFree {
    void operator()(gnutls_privkey_st* k) const { gnutls_privkey_deinit(k); }
};
struct PubkeyFree {
    void operator()(gnutls_pubkey_st* k) const { gnutls_pubkey_deinit(k); }
};
// Owns a datum GnuTLS allocated.
struct OwnedDatum {
    gnutls_datum_t d{nullptr, 0};
    OwnedDatum() = default;
    OwnedDatum(const OwnedDatum&) = delete;
    OwnedDatum& operator=(const OwnedDatum&) = delete;
    ~OwnedDatum() { gnutls_free(d.data); }
};

gnutls_datum_t datum(const std::uint8_t* data, std::size_t size) {
    return gnutls_datum_t{const_cast<unsigned char*>(data), static_cast<unsigned>(size)};
}
gnutls_datum_t datum(std::string_view s) {
    return datum(reinterpret_cast<const std::uint8_t*>(s.data()), s.size());
}

// A DER integer may carry a sign byte or drop leading zeros: make it 32 bytes.
std::optional<Bytes> fixedWidth(const gnutls_datum_t& d) {
    std::size_t skip = 0;
    while (skip < d.size && d.data[skip] == 0) ++skip;
    if (d.size - skip > COORD_SIZE) return std::nullopt;
    Bytes out(COORD_SIZE - (d.size - skip), 0);
    out.insert(out.end(), d.data + skip, d.data + d.size);
    return out;
}

}  // namespace

bool isUncompressedP256Point(const std::optional<Bytes>& b) { return b && b->size() == POINT_SIZE && (*b)[0] == 0x04; }

Expected<Bytes> signEs256(const Bytes& point, Bytes& scalar, std::string_view data) {
    if (!isUncompressedP256Point(point) || scalar.size() != COORD_SIZE) {
        wipe(scalar);
        return makeError(Errc::Invalid, "the key pair is not a P-256 key pair");
    }
    gnutls_privkey_t raw = nullptr;
    if (gnutls_privkey_init(&raw) < 0) return makeError(Errc::Internal, "cannot create a key");
    std::unique_ptr<gnutls_privkey_st, PrivkeyFree> key(raw);
    const auto x = datum(point.data() + 1, COORD_SIZE), y = datum(point.data() + 1 + COORD_SIZE, COORD_SIZE);
    const auto k = datum(scalar.data(), scalar.size());
    const int imported = gnutls_privkey_import_ecc_raw(key.get(), GNUTLS_ECC_CURVE_SECP256R1, &x, &y, &k);
    wipe(scalar);
    if (imported < 0) return makeError(Errc::Invalid, "the key pair is not a P-256 key pair");

    OwnedDatum der, r, s;
    const auto input = datum(data);
    if (gnutls_privkey_sign_data2(key.get(), GNUTLS_SIGN_ECDSA_SHA256, 0, &input, &der.d) < 0)
        return makeError(Errc::Internal, "ES256 signing failed");
    if (gnutls_decode_rs_value(&der.d, &r.d, &s.d) < 0) return makeError(Errc::Internal, "cannot decode an ES256 signature");
    auto rb = fixedWidth(r.d), sb = fixedWidth(s.d);
    if (!rb || !sb) return makeError(Errc::Internal, "ES256 signature out of range");
    rb->insert(rb->end(), sb->begin(), sb->end());
    return std::move(*rb);
}

Expected<bool> verifyEs256(const Bytes& point, std::string_view data, const Bytes& signature) {
    if (!isUncompressedP256Point(point)) return makeError(Errc::Malformed, "not a 65-byte uncompressed P-256 point");
    if (signature.size() != ES256_SIGNATURE_SIZE) return makeError(Errc::Malformed, "an ES256 signature is 64 bytes");
    gnutls_pubkey_t raw = nullptr;
    if (gnutls_pubkey_init(&raw) < 0) return makeError(Errc::Internal, "cannot create a key");
    std::unique_ptr<gnutls_pubkey_st, PubkeyFree> key(raw);
    const auto x = datum(point.data() + 1, COORD_SIZE), y = datum(point.data() + 1 + COORD_SIZE, COORD_SIZE);
    if (gnutls_pubkey_import_ecc_raw(key.get(), GNUTLS_ECC_CURVE_SECP256R1, &x, &y) < 0)
        return makeError(Errc::Malformed, "not a P-256 public key");
    const auto r = datum(signature.data(), COORD_SIZE), s = datum(signature.data() + COORD_SIZE, COORD_SIZE);
    OwnedDatum der;
    if (gnutls_encode_rs_value(&der.d, &r, &s) < 0) return makeError(Errc::Internal, "cannot encode an ES256 signature");
    const auto input = datum(data);
    return gnutls_pubkey_verify_data2(key.get(), GNUTLS_SIGN_ECDSA_SHA256, 0, &input, &der.d) >= 0;
}

}  // namespace dhtpush::crypto
