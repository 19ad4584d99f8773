#pragma once
// Names fixed by the UnifiedPush D-Bus specification (https://unifiedpush.org/developers/spec/dbus,
// the text headed DBUS_0.3.0 that defines the version-2 interfaces).
namespace dhtpush::device::up {

inline constexpr const char* DISTRIBUTOR_NAME_PREFIX = "org.unifiedpush.Distributor.";
inline constexpr const char* DISTRIBUTOR_PATH = "/org/unifiedpush/Distributor";
inline constexpr const char* DISTRIBUTOR1 = "org.unifiedpush.Distributor1";
inline constexpr const char* DISTRIBUTOR2 = "org.unifiedpush.Distributor2";
inline constexpr const char* CONNECTOR_PATH = "/org/unifiedpush/Connector";
inline constexpr const char* CONNECTOR1 = "org.unifiedpush.Connector1";
inline constexpr const char* CONNECTOR2 = "org.unifiedpush.Connector2";
// Not the spec's: dhtpush's own management calls on the distributor's object (`dhtpush apps`).
inline constexpr const char* MANAGEMENT = "org.dhtpush.Distributor1";

inline constexpr const char* REGISTRATION_SUCCEEDED = "REGISTRATION_SUCCEEDED";
inline constexpr const char* REGISTRATION_FAILED = "REGISTRATION_FAILED";

// Why a registration failed (the "reason" of a failed Register).
enum class FailReason { InternalError, Network, ActionRequired, VapidRequired, Unauthorized };
const char* reasonName(FailReason reason);

// Bounds the specification sets on what an app sends.
inline constexpr std::size_t MAX_TOKEN_BYTES = 100;
inline constexpr std::size_t MAX_DESCRIPTION_BYTES = 100;
inline constexpr std::size_t VAPID_KEY_CHARS = 87;  // base64url of an uncompressed P-256 point

}  // namespace dhtpush::device::up
