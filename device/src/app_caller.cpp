#include "app_caller.h"

#include <sdbus-c++/sdbus-c++.h>

#include <chrono>
#include <map>

#include "distributor_log.h"
#include "up_names.h"

namespace dhtpush::device {
namespace {

using Dict = std::map<std::string, sdbus::Variant>;

// An app started by activation has this long to answer (the bus's own default is 25 s).
constexpr auto CALL_TIMEOUT = std::chrono::seconds(25);

}  // namespace

AppCaller::AppCaller(std::size_t messageLanes) : connection_(sdbus::createSessionBusConnection()) {
    for (std::size_t i = 0; i < messageLanes; ++i) laneConnections_.push_back(sdbus::createSessionBusConnection());
}

AppCaller::~AppCaller() = default;

void AppCaller::post(std::function<void()> call) {
    if (!queue_.post(std::move(call)))
        logLine(LogLevel::Warning, "more than " + std::to_string(MAX_QUEUED) + " calls to apps waiting: one dropped");
}

void AppCaller::newEndpoint(const Registration& r) { post([this, r] { notify(r, "NewEndpoint", r.endpoint); }); }

void AppCaller::unregistered(const Registration& r) { post([this, r] { notify(r, "Unregistered", std::nullopt); }); }

void AppCaller::notify(const Registration& r, const char* member, const std::optional<std::string>& endpoint) {
    std::lock_guard<std::mutex> lock(callMutex_);
    try {
        auto app = sdbus::createProxy(*connection_, r.service, up::CONNECTOR_PATH);
        if (r.version == 1) {
            if (endpoint) app->callMethod(member).onInterface(up::CONNECTOR1).withArguments(r.appToken, *endpoint).dontExpectReply();
            else app->callMethod(member).onInterface(up::CONNECTOR1).withArguments(r.appToken).dontExpectReply();
            return;
        }
        Dict args{{"token", sdbus::Variant(r.appToken)}};
        if (endpoint) args.emplace("endpoint", sdbus::Variant(*endpoint));
        Dict reply;
        app->callMethod(member).onInterface(up::CONNECTOR2).withTimeout(CALL_TIMEOUT).withArguments(args).storeResultsTo(reply);
    } catch (const sdbus::Error& e) {
        logLine(LogLevel::Warning, std::string(member) + " to " + r.service + " failed: " + e.getName());
    }
}

bool AppCaller::message(std::size_t lane, const Registration& r, const std::string& messageId,
                        const crypto::Bytes& body) {
    if (lane >= laneConnections_.size()) {  // a dispatch with more lanes than this caller: a bug, not the app's fault
        logLine(LogLevel::Error, "no D-Bus connection for message lane " + std::to_string(lane));
        return false;
    }
    try {
        auto app = sdbus::createProxy(*laneConnections_[lane], r.service, up::CONNECTOR_PATH);
        const std::vector<std::uint8_t> bytes(body.begin(), body.end());
        if (r.version == 1) {
            app->callMethod("Message").onInterface(up::CONNECTOR1).withArguments(r.appToken, bytes, messageId).dontExpectReply();
            return true;
        }
        Dict args{{"token", sdbus::Variant(r.appToken)}, {"message", sdbus::Variant(bytes)}, {"id", sdbus::Variant(messageId)}};
        Dict reply;
        app->callMethod("Message").onInterface(up::CONNECTOR2).withTimeout(CALL_TIMEOUT).withArguments(args).storeResultsTo(reply);
        // The reply's id is the app's acknowledgement of this message.
        const auto id = reply.find("id");
        return id != reply.end() && id->second.containsValueOfType<std::string>() && id->second.get<std::string>() == messageId;
    } catch (const sdbus::Error& e) {
        logLine(LogLevel::Warning, "Message to " + r.service + " failed: " + e.getName());
        return false;
    }
}

}  // namespace dhtpush::device
