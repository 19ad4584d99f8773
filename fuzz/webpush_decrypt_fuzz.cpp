// The device's decrypt path on hostile bodies: crypto::webpushDecrypt (RFC 8291) with the
// device keys of RFC 8291 Appendix A and the input as the body, and the aes128gcm layer
// alone (ece::parseHeader, ece::decrypt) with that appendix's IKM. Seeds: the appendix's
// body, and bodies made with those keys (fuzz/corpus/webpush_decrypt_fuzz).
#include <cstddef>
#include <cstdint>

#include "dhtpush/crypto/base64url.h"
#include "dhtpush/crypto/ece.h"
#include "dhtpush/crypto/webpush_encryption.h"
#include "fuzz_check.h"

using dhtpush::fuzz::check;
namespace crypto = dhtpush::crypto;

namespace {

const std::string UA_PUBLIC =
    "BCVxsr7N_eNgVRqvHtD0zTZsEc6-VV-JvLexhqUzORcxaOzi6-AYWXvTBHm4bjyPjs7Vd8pZGH6SRpkNtoIAiw4";
const std::string UA_PRIVATE = "q1dXpw3UpT5VOmu_cf_v6ih07Aems3njxI-JWgLcM94";
const std::string AUTH = "BTBZMqHH6r4Tts7J_aSIgg";
const crypto::Bytes IKM = *crypto::base64urlDecode("S4lYMb_L0FxCeq0WhDx813KgSYqU26kOyzWUdsXYyrg");

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const crypto::Bytes body(data, data + size);

    const auto header = crypto::ece::parseHeader(body);
    if (header) {
        check(header->length == crypto::ece::HEADER_MIN_SIZE + header->keyId.size(), "header length mismatch");
        check(header->length <= body.size(), "header longer than the body");
        check(header->recordSize >= crypto::ece::MIN_RECORD_SIZE, "record size below the minimum");
        check(header->salt.size() == crypto::ece::SALT_SIZE, "salt not 16 bytes");
    }

    const auto raw = crypto::ece::decrypt(body, IKM);
    if (raw) {
        check(header.ok(), "decrypted a body whose header does not parse");
        check(raw->size() + header->length + crypto::ece::TAG_SIZE + 1 <= body.size(), "plaintext larger than possible");
    } else {
        check(!raw.error().detail.empty(), "an error without a detail");
    }

    const auto plain = crypto::webpushDecrypt(body, UA_PUBLIC, UA_PRIVATE, AUTH);
    if (plain) {
        check(header.ok() && header->keyId.size() == 65, "decrypted without a 65-byte key id");
        check(plain->size() <= crypto::WEBPUSH_MAX_PLAINTEXT_SIZE || body.size() > crypto::WEBPUSH_RECORD_SIZE,
              "a one-record message above the RFC 8291 maximum");
    } else {
        check(!plain.error().detail.empty(), "an error without a detail");
    }
    return 0;
}
