#include "dhtpush/crypto/ece.h"

#include <gnutls/gnutls.h>
#include <nettle/gcm.h>
#include <nettle/hkdf.h>
#include <nettle/hmac.h>
#include <nettle/memops.h>

#include <algorithm>
#include <array>
#include <string_view>

#include "dhtpush/crypto/secret.h"

namespace dhtpush::crypto::ece {
namespace {

constexpr std::size_t KEY_SIZE = 16;
constexpr std::size_t NONCE_SIZE = 12;
constexpr std::uint8_t DELIMITER_MORE = 0x01;
constexpr std::uint8_t DELIMITER_LAST = 0x02;
// With the terminating NUL: the info strings of RFC 8188 §2.2 and §2.3.
constexpr std::string_view CEK_INFO{"Content-Encoding: aes128gcm\0", 28};
constexpr std::string_view NONCE_INFO{"Content-Encoding: nonce\0", 24};

void hmacUpdate(void* ctx, std::size_t length, const std::uint8_t* data) {
    hmac_sha256_update(static_cast<hmac_sha256_ctx*>(ctx), length, data);
}
void hmacDigest(void* ctx, std::size_t length, std::uint8_t* digest) {
    hmac_sha256_digest(static_cast<hmac_sha256_ctx*>(ctx), length, digest);
}

// The content-encryption key and base nonce; wiped when they go out of scope.
struct RecordKeys {
    std::array<std::uint8_t, KEY_SIZE> cek{};
    std::array<std::uint8_t, NONCE_SIZE> nonce{};
    RecordKeys() = default;
    RecordKeys(const RecordKeys&) = delete;
    RecordKeys& operator=(const RecordKeys&) = delete;
    ~RecordKeys() {
        gnutls_memset(cek.data(), 0, cek.size());
        gnutls_memset(nonce.data(), 0, nonce.size());
    }
};

void deriveKeys(const Bytes& ikm, const Bytes& salt, RecordKeys& keys) {
    std::array<std::uint8_t, SHA256_DIGEST_SIZE> prk{};
    hmac_sha256_ctx ctx;
    hmac_sha256_set_key(&ctx, salt.size(), salt.data());
    hkdf_extract(&ctx, hmacUpdate, hmacDigest, SHA256_DIGEST_SIZE, ikm.size(), ikm.data(), prk.data());
    hmac_sha256_set_key(&ctx, prk.size(), prk.data());
    hkdf_expand(&ctx, hmacUpdate, hmacDigest, SHA256_DIGEST_SIZE, CEK_INFO.size(),
                reinterpret_cast<const std::uint8_t*>(CEK_INFO.data()), keys.cek.size(), keys.cek.data());
    hkdf_expand(&ctx, hmacUpdate, hmacDigest, SHA256_DIGEST_SIZE, NONCE_INFO.size(),
                reinterpret_cast<const std::uint8_t*>(NONCE_INFO.data()), keys.nonce.size(), keys.nonce.data());
    gnutls_memset(prk.data(), 0, prk.size());
    gnutls_memset(&ctx, 0, sizeof ctx);
}

// RFC 8188 §2.3: the record sequence number, big-endian, xor the last bytes of NONCE.
std::array<std::uint8_t, NONCE_SIZE> recordNonce(const RecordKeys& keys, std::uint64_t seq) {
    auto nonce = keys.nonce;
    for (std::size_t i = 0; i < 8; ++i)
        nonce[NONCE_SIZE - 1 - i] ^= static_cast<std::uint8_t>((seq >> (8 * i)) & 0xff);
    return nonce;
}

class Gcm {
public:
    Gcm(const RecordKeys& keys, std::uint64_t seq) {
        gcm_aes128_set_key(&ctx_, keys.cek.data());
        const auto nonce = recordNonce(keys, seq);
        gcm_aes128_set_iv(&ctx_, nonce.size(), nonce.data());
    }
    Gcm(const Gcm&) = delete;
    Gcm& operator=(const Gcm&) = delete;
    ~Gcm() { gnutls_memset(&ctx_, 0, sizeof ctx_); }

    void encrypt(std::size_t n, std::uint8_t* dst, const std::uint8_t* src) { gcm_aes128_encrypt(&ctx_, n, dst, src); }
    void decrypt(std::size_t n, std::uint8_t* dst, const std::uint8_t* src) { gcm_aes128_decrypt(&ctx_, n, dst, src); }
    void tag(std::uint8_t* dst) { gcm_aes128_digest(&ctx_, TAG_SIZE, dst); }

private:
    gcm_aes128_ctx ctx_{};
};

void appendUint32(Bytes& out, std::uint32_t v) {
    for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<std::uint8_t>((v >> shift) & 0xff));
}

// Finds the delimiter of a decrypted record: the last non-zero byte. Returns the data length.
Expected<std::size_t> unpad(const Bytes& record, bool isLast) {
    std::size_t i = record.size();
    while (i > 0 && record[i - 1] == 0) --i;
    if (i == 0) return makeError(Errc::Malformed, "record has no padding delimiter");
    const auto delimiter = record[i - 1];
    if (delimiter != DELIMITER_MORE && delimiter != DELIMITER_LAST)
        return makeError(Errc::Malformed, "record padding is not zeros after a delimiter");
    // why: the delimiter is authenticated, so a mismatch means truncation or an appended record.
    if (isLast && delimiter != DELIMITER_LAST)
        return makeError(Errc::Malformed, "body ends in a record that announces more records (truncated)");
    if (!isLast && delimiter == DELIMITER_LAST)
        return makeError(Errc::Malformed, "a record follows the last record");
    return i - 1;
}

}  // namespace

Expected<EceHeader> parseHeader(const Bytes& body) {
    if (body.size() < HEADER_MIN_SIZE) return makeError(Errc::Malformed, "aes128gcm header is truncated");
    EceHeader header;
    header.salt.assign(body.begin(), body.begin() + SALT_SIZE);
    header.recordSize = (std::uint32_t{body[16]} << 24) | (std::uint32_t{body[17]} << 16) |
                        (std::uint32_t{body[18]} << 8) | std::uint32_t{body[19]};
    const std::size_t idlen = body[20];
    if (body.size() < HEADER_MIN_SIZE + idlen) return makeError(Errc::Malformed, "aes128gcm key id is truncated");
    if (header.recordSize < MIN_RECORD_SIZE)
        return makeError(Errc::Invalid, "aes128gcm record size " + std::to_string(header.recordSize) + " is below 18");
    const auto idBegin = body.begin() + static_cast<std::ptrdiff_t>(HEADER_MIN_SIZE);
    header.keyId.assign(idBegin, idBegin + static_cast<std::ptrdiff_t>(idlen));
    header.length = HEADER_MIN_SIZE + idlen;
    return header;
}

Expected<Bytes> encrypt(const Bytes& plaintext, const Bytes& ikm, const Bytes& salt,
                        std::uint32_t recordSize, const Bytes& keyId, std::size_t padding) {
    if (ikm.empty()) return makeError(Errc::Invalid, "input keying material is empty");
    if (salt.size() != SALT_SIZE) return makeError(Errc::Invalid, "salt must be 16 bytes");
    if (recordSize < MIN_RECORD_SIZE) return makeError(Errc::Invalid, "record size must be at least 18");
    if (keyId.size() > 255) return makeError(Errc::Invalid, "key id is longer than 255 bytes");
    if (plaintext.size() > MAX_CONTENT_SIZE || padding > MAX_CONTENT_SIZE - plaintext.size())
        return makeError(Errc::TooLarge, "plaintext and padding exceed the size limit");

    RecordKeys keys;
    deriveKeys(ikm, salt, keys);

    // Data and padding per record; the delimiter and tag take the other 17 bytes.
    const std::size_t capacity = std::size_t{recordSize} - TAG_SIZE - 1;
    const std::size_t total = plaintext.size() + padding;
    const std::size_t records = total == 0 ? 1 : (total + capacity - 1) / capacity;
    Bytes out(salt);
    out.reserve(HEADER_MIN_SIZE + keyId.size() + total + records * (TAG_SIZE + 1));
    appendUint32(out, recordSize);
    out.push_back(static_cast<std::uint8_t>(keyId.size()));
    out.insert(out.end(), keyId.begin(), keyId.end());

    Bytes record;
    record.reserve(capacity + 1);
    std::size_t dataLeft = plaintext.size(), padLeft = padding, offset = 0;
    for (std::uint64_t seq = 0;; ++seq) {
        // Padding goes first, so short messages fill the first record (RFC 8188 §3.2 does the same).
        const std::size_t pad = std::min(padLeft, capacity);
        const std::size_t data = std::min(dataLeft, capacity - pad);
        padLeft -= pad;
        dataLeft -= data;
        const bool last = padLeft == 0 && dataLeft == 0;
        const auto from = plaintext.begin() + static_cast<std::ptrdiff_t>(offset);
        record.assign(from, from + static_cast<std::ptrdiff_t>(data));
        record.push_back(last ? DELIMITER_LAST : DELIMITER_MORE);
        record.insert(record.end(), pad, 0);
        offset += data;

        const std::size_t at = out.size();
        out.resize(at + record.size() + TAG_SIZE);
        Gcm gcm(keys, seq);
        gcm.encrypt(record.size(), out.data() + at, record.data());
        gcm.tag(out.data() + at + record.size());
        if (last) break;
    }
    wipe(record);
    return out;
}

Expected<Bytes> decrypt(const Bytes& body, const Bytes& ikm) {
    if (ikm.empty()) return makeError(Errc::Invalid, "input keying material is empty");
    auto header = parseHeader(body);
    if (!header) return header.error();
    if (body.size() == header->length) return makeError(Errc::Malformed, "aes128gcm body has no record");

    RecordKeys keys;
    deriveKeys(ikm, header->salt, keys);

    Bytes out, record, tag(TAG_SIZE);
    out.reserve(body.size());  // why: no reallocation, so no unwiped copy of plaintext is freed
    std::size_t at = header->length;
    for (std::uint64_t seq = 0; at < body.size(); ++seq) {
        const std::size_t size = std::min<std::size_t>(header->recordSize, body.size() - at);
        const bool isLast = at + size == body.size();
        if (size <= TAG_SIZE) {
            wipe(out);
            return makeError(Errc::Malformed, "record " + std::to_string(seq) + " is too short for its tag");
        }
        const std::size_t cipherSize = size - TAG_SIZE;
        record.resize(cipherSize);
        Gcm gcm(keys, seq);
        gcm.decrypt(cipherSize, record.data(), body.data() + at);
        gcm.tag(tag.data());
        if (memeql_sec(tag.data(), body.data() + at + cipherSize, TAG_SIZE) == 0) {
            wipe(record);
            wipe(out);
            return makeError(Errc::Forbidden, "record " + std::to_string(seq) + " fails authentication");
        }
        const auto dataSize = unpad(record, isLast);
        if (!dataSize) {
            wipe(record);
            wipe(out);
            return dataSize.error();
        }
        out.insert(out.end(), record.begin(), record.begin() + static_cast<std::ptrdiff_t>(*dataSize));
        at += size;
    }
    wipe(record);
    return out;
}

}  // namespace dhtpush::crypto::ece
