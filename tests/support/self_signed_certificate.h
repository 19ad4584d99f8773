#pragma once
// A self-signed certificate for 127.0.0.1 and localhost, and its key, as PEM files in a
// folder: what a node's HTTPS listener needs in tests. Throws std::runtime_error on failure.
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>

#include <ctime>
#include <fstream>
#include <stdexcept>
#include <string>

namespace dhtpush::test {

namespace detail {
inline void require(bool ok) {
    if (!ok) throw std::runtime_error("cannot make a self-signed certificate");
}
}  // namespace detail

struct SelfSignedCertificate {
    std::string certFile, keyFile;
    explicit SelfSignedCertificate(const std::string& dir) : certFile(dir + "/cert.pem"), keyFile(dir + "/key.pem") {
        gnutls_x509_privkey_t key = nullptr;
        gnutls_x509_crt_t crt = nullptr;
        detail::require(gnutls_x509_privkey_init(&key) == 0);
        detail::require(gnutls_x509_crt_init(&crt) == 0);
        detail::require(gnutls_x509_privkey_generate(key, GNUTLS_PK_ECDSA, GNUTLS_CURVE_TO_BITS(GNUTLS_ECC_CURVE_SECP256R1), 0) == 0);
        const unsigned char serial[] = {0x01, 0x02, 0x03};
        const unsigned char loopback[] = {127, 0, 0, 1};
        const auto now = std::time(nullptr);
        const char* cn = "127.0.0.1";
        detail::require(gnutls_x509_crt_set_version(crt, 3) == 0);
        detail::require(gnutls_x509_crt_set_serial(crt, serial, sizeof serial) == 0);
        detail::require(gnutls_x509_crt_set_activation_time(crt, now - 3600) == 0);
        detail::require(gnutls_x509_crt_set_expiration_time(crt, now + 24 * 3600) == 0);
        detail::require(gnutls_x509_crt_set_dn_by_oid(crt, GNUTLS_OID_X520_COMMON_NAME, 0, cn, 9) == 0);
        detail::require(gnutls_x509_crt_set_subject_alt_name(crt, GNUTLS_SAN_IPADDRESS, loopback, 4, GNUTLS_FSAN_SET) == 0);
        detail::require(gnutls_x509_crt_set_subject_alt_name(crt, GNUTLS_SAN_DNSNAME, "localhost", 9, GNUTLS_FSAN_APPEND) == 0);
        detail::require(gnutls_x509_crt_set_basic_constraints(crt, 1, -1) == 0);
        detail::require(gnutls_x509_crt_set_key_usage(crt, GNUTLS_KEY_DIGITAL_SIGNATURE | GNUTLS_KEY_KEY_CERT_SIGN) == 0);
        detail::require(gnutls_x509_crt_set_key(crt, key) == 0);
        detail::require(gnutls_x509_crt_sign2(crt, crt, key, GNUTLS_DIG_SHA256, 0) == 0);
        write(certFile, [&](gnutls_datum_t* out) { return gnutls_x509_crt_export2(crt, GNUTLS_X509_FMT_PEM, out); });
        write(keyFile, [&](gnutls_datum_t* out) { return gnutls_x509_privkey_export2(key, GNUTLS_X509_FMT_PEM, out); });
        gnutls_x509_crt_deinit(crt);
        gnutls_x509_privkey_deinit(key);
    }
    template <class Export>
    static void write(const std::string& path, Export exportTo) {
        gnutls_datum_t pem{nullptr, 0};
        detail::require(exportTo(&pem) == 0);
        std::ofstream(path, std::ios::binary).write(reinterpret_cast<const char*>(pem.data), pem.size);
        gnutls_free(pem.data);
    }
};


}  // namespace dhtpush::test
