#pragma once
// RFC 8188 "aes128gcm" content coding: a header, then records of AES-128-GCM.
//
// body   = salt(16) || rs(uint32 big-endian) || idlen(1) || keyid(idlen) || records
// record = AES-128-GCM(CEK, NONCE xor seq, data || delimiter || zeros) with a 16-byte tag;
//          every record but the last is exactly rs bytes.
// CEK    = HKDF-SHA-256(salt, IKM, "Content-Encoding: aes128gcm\0", 16)
// NONCE  = HKDF-SHA-256(salt, IKM, "Content-Encoding: nonce\0", 12)
// The padding delimiter is 0x02 in the last record and 0x01 in every other (RFC 8188 §2;
// the published examples of RFC 8188 §3 and RFC 8291 Appendix A are made that way).
//
// Error codes, for every function here:
//   Malformed  the bytes do not follow the format: short header, no record, a record too
//              short to hold a tag, padding that is not zeros after a delimiter, a last
//              record marked "more follow" (truncated body), a record after the last one
//   Invalid    well-formed but unacceptable: rs < 18, a wrong key or salt size
//   TooLarge   encrypt: plaintext and padding over MAX_CONTENT_SIZE
//   Forbidden  a record fails authentication (wrong key, tampered ciphertext or tag)
// No detail carries key material or plaintext.
#include <cstddef>
#include <cstdint>

#include "dhtpush/crypto/bytes.h"
#include "dhtpush/expected.h"

namespace dhtpush::crypto::ece {

constexpr std::size_t SALT_SIZE = 16;
constexpr std::size_t TAG_SIZE = 16;
constexpr std::size_t HEADER_MIN_SIZE = SALT_SIZE + 4 + 1;
constexpr std::uint32_t MIN_RECORD_SIZE = TAG_SIZE + 2;   // one data or padding byte + delimiter
constexpr std::size_t MAX_CONTENT_SIZE = std::size_t{1} << 30;

struct EceHeader {
    Bytes salt;                  // 16 bytes
    std::uint32_t recordSize;    // rs, >= MIN_RECORD_SIZE
    Bytes keyId;                 // 0..255 bytes
    std::size_t length;          // header bytes: 21 + keyId.size()
};

// Malformed when the body is shorter than its header; Invalid when rs < 18.
Expected<EceHeader> parseHeader(const Bytes& body);

// Encrypts into records of recordSize bytes, with `padding` zero bytes placed in the
// first records. ikm: any non-empty length (16 bytes in RFC 8188, 32 in RFC 8291).
// Invalid: empty ikm, salt not 16 bytes, rs < 18, keyId over 255 bytes.
// TooLarge: plaintext.size() + padding > MAX_CONTENT_SIZE.
Expected<Bytes> encrypt(const Bytes& plaintext, const Bytes& ikm, const Bytes& salt,
                        std::uint32_t recordSize, const Bytes& keyId, std::size_t padding = 0);

// Decrypts a whole body; nothing is returned unless every record authenticates and the
// last one is marked last. Errors as listed at the top of this file.
Expected<Bytes> decrypt(const Bytes& body, const Bytes& ikm);

}  // namespace dhtpush::crypto::ece
