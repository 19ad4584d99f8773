#include "dhtpush/crypto/subscription_keys.h"

#include <gnutls/abstract.h>
#include <gnutls/gnutls.h>

#include <memory>

#include "dhtpush/crypto/base64url.h"
#include "dhtpush/crypto/random.h"
#include "dhtpush/crypto/secret.h"

namespace dhtpush::crypto {
namespace {

struct DatumFree {
    void operator()(gnutls_datum_t* d) const {
        if (d->data) {
            gnutls_memset(d->data, 0, d->size);
            gnutls_free(d->data);
        }
    }
};
using DatumGuard = std::unique_ptr<gnutls_datum_t, DatumFree>;

// Raw coordinates may come back shorter than the field size; left-pad to 32 bytes.
Bytes fixedWidth(const gnutls_datum_t& d) {
    Bytes out(32, 0);
    const std::size_t n = std::min<std::size_t>(d.size, 32);
    std::copy(d.data + d.size - n, d.data + d.size, out.end() - static_cast<std::ptrdiff_t>(n));
    return out;
}

}  // namespace

Expected<SubscriptionKeys> generateSubscriptionKeys() {
    gnutls_privkey_t key = nullptr;
    if (gnutls_privkey_init(&key) < 0) return makeError(Errc::Internal, "cannot create a key");
    std::unique_ptr<gnutls_privkey_st, decltype(&gnutls_privkey_deinit)> keyGuard(key, gnutls_privkey_deinit);
    if (gnutls_privkey_generate(key, GNUTLS_PK_ECDSA, GNUTLS_CURVE_TO_BITS(GNUTLS_ECC_CURVE_SECP256R1), 0) < 0)
        return makeError(Errc::Internal, "cannot generate a P-256 key");

    gnutls_ecc_curve_t curve{};
    gnutls_datum_t x{}, y{}, k{};
    if (gnutls_privkey_export_ecc_raw2(key, &curve, &x, &y, &k, GNUTLS_EXPORT_FLAG_NO_LZ) < 0)
        return makeError(Errc::Internal, "cannot export the P-256 key");
    DatumGuard gx(&x), gy(&y), gk(&k);

    Bytes point{0x04};
    const auto bx = fixedWidth(x), by = fixedWidth(y);
    point.insert(point.end(), bx.begin(), bx.end());
    point.insert(point.end(), by.begin(), by.end());
    auto scalar = fixedWidth(k);
    auto auth = randomBytes(16);

    SubscriptionKeys keys{base64urlEncode(point), base64urlEncode(scalar), base64urlEncode(auth)};
    wipe(scalar);
    wipe(auth);
    return keys;
}

}  // namespace dhtpush::crypto
