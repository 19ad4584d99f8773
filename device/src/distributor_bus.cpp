#include "distributor_bus.h"

#include <sdbus-c++/sdbus-c++.h>

#include <map>
#include <optional>
#include <tuple>

#include "distributor_log.h"
#include "up_validation.h"

namespace dhtpush::device {
namespace {

using Dict = std::map<std::string, sdbus::Variant>;
constexpr const char* INVALID_ARGS = "org.freedesktop.DBus.Error.InvalidArgs";

// A string field of a v2 dictionary: absent is "", present with another type is invalid.
std::string field(const Dict& args, const char* key, bool required) {
    const auto it = args.find(key);
    if (it == args.end()) {
        if (required) throw sdbus::Error(INVALID_ARGS, std::string("missing \"") + key + "\"");
        return {};
    }
    if (!it->second.containsValueOfType<std::string>()) throw sdbus::Error(INVALID_ARGS, std::string("\"") + key + "\" is not a string");
    return it->second.get<std::string>();
}

RegisterRequest checked(RegisterRequest request) {
    if (!up::validServiceName(request.service)) throw sdbus::Error(INVALID_ARGS, "service is not a bus name");
    if (!up::validToken(request.token)) throw sdbus::Error(INVALID_ARGS, "token is not 1 to 100 bytes of text");
    if (!up::validDescription(request.description)) throw sdbus::Error(INVALID_ARGS, "description is over 100 bytes or not text");
    if (!request.vapidKey.empty() && !up::validVapidKey(request.vapidKey))
        throw sdbus::Error(INVALID_ARGS, "vapid is not a base64url P-256 public key");
    return request;
}

void ignoredIfInvalid(const std::string& token) {
    if (!up::validToken(token)) throw sdbus::Error(INVALID_ARGS, "token is not 1 to 100 bytes of text");
}

Dict registerAnswer(const std::optional<up::FailReason>& failed) {
    if (!failed) return Dict{{"success", sdbus::Variant(std::string(up::REGISTRATION_SUCCEEDED))}};
    return Dict{{"success", sdbus::Variant(std::string(up::REGISTRATION_FAILED))},
                {"reason", sdbus::Variant(std::string(up::reasonName(*failed)))}};
}

// A method answered from the calls' thread: `prepare` checks the call now (an sdbus::Error it
// throws is the answer, nothing is queued) and returns the job whose value (a tuple of the
// method's outputs) is the answer; `post` queues that job, or is false when the queue is full.
template <class... Out, class Prepare, class Post>
void answerLater(sdbus::Result<Out...>&& result, const Prepare& prepare, const Post& post) {
    auto reply = std::make_shared<sdbus::Result<Out...>>(std::move(result));
    std::optional<decltype(prepare())> job;
    try {
        job.emplace(prepare());
    } catch (const sdbus::Error& e) {
        return reply->returnError(e);
    }
    const bool queued = post([reply, job = std::move(*job)] {
        std::apply([&](const Out&... out) { reply->returnResults(out...); }, job());
    });
    if (!queued) reply->returnError(sdbus::Error("org.freedesktop.DBus.Error.LimitsExceeded", "too many calls waiting; try again"));
}

}  // namespace

DistributorBus::DistributorBus(Registrar& registrar, const std::string& busName)
    : registrar_(registrar),
      connection_(sdbus::createSessionBusConnection(busName)),
      object_(sdbus::createObject(*connection_, up::DISTRIBUTOR_PATH)),
      work_(std::make_unique<WorkQueue>(MAX_WAITING_CALLS)) {
    registerMethods();
}

bool DistributorBus::later(std::function<void()> work) {
    if (work_->post(std::move(work))) return true;
    logLine(LogLevel::Warning, std::to_string(MAX_WAITING_CALLS) + " registration calls already wait: one refused");
    return false;
}

DistributorBus::~DistributorBus() {
    work_.reset();  // what waits is answered while the bus still runs
    leaving_ = true;
    connection_->leaveEventLoop();
    if (thread_.joinable()) thread_.join();
    object_.reset();
}

void DistributorBus::start(std::function<void()> onLost) {
    thread_ = std::thread([this, onLost = std::move(onLost)] {
        try {
            connection_->enterEventLoop();
        } catch (const sdbus::Error& e) {
            logLine(LogLevel::Error, "the session bus is gone: " + e.getMessage());
        }
        if (!leaving_) onLost();
    });
}

void DistributorBus::registerMethods() {
    const auto post = [this](std::function<void()> work) { return later(std::move(work)); };
    object_->registerMethod("Register")
        .onInterface(up::DISTRIBUTOR2)
        .withInputParamNames("args")
        .withOutputParamNames("res")
        .implementedAs([this, post](sdbus::Result<Dict>&& result, Dict args) {
            answerLater(std::move(result), [&] {
                const auto request = checked({field(args, "service", true), field(args, "token", true),
                                              field(args, "description", false), field(args, "vapid", false), 2});
                return [this, request] { return std::make_tuple(registerAnswer(registrar_.registerApp(request))); };
            }, post);
        });
    object_->registerMethod("Unregister")
        .onInterface(up::DISTRIBUTOR2)
        .withInputParamNames("args")
        .withOutputParamNames("res")
        .implementedAs([this, post](sdbus::Result<Dict>&& result, Dict args) {
            answerLater(std::move(result), [&] {
                const auto token = field(args, "token", true);
                ignoredIfInvalid(token);
                return [this, token] {
                    registrar_.unregisterApp(token);
                    return std::make_tuple(Dict{});
                };
            }, post);
        });
    object_->registerMethod("Register")
        .onInterface(up::DISTRIBUTOR1)
        .withInputParamNames("serviceName", "token", "description")
        .withOutputParamNames("registrationResult", "registrationResultReason")
        .implementedAs([this, post](sdbus::Result<std::string, std::string>&& result, std::string service, std::string token,
                                    std::string description) {
            answerLater(std::move(result), [&] {
                const auto request = checked({service, token, description, "", 1});
                return [this, request] {
                    const auto failed = registrar_.registerApp(request);
                    return std::make_tuple(std::string(failed ? up::REGISTRATION_FAILED : up::REGISTRATION_SUCCEEDED),
                                           std::string(failed ? up::reasonName(*failed) : ""));
                };
            }, post);
        });
    object_->registerMethod("Unregister")
        .onInterface(up::DISTRIBUTOR1)
        .withInputParamNames("token")
        .implementedAs([this](const std::string& token) {
            ignoredIfInvalid(token);
            later([this, token] { registrar_.unregisterApp(token); });  // no reply: a full queue drops it (logged)
        })
        .withNoReply();
    // Ours, beside the spec's: what `dhtpush apps` shows and does. Anyone on the user's session
    // bus may call it (the same user); app tokens are not shown.
    object_->registerMethod("ListApps")
        .onInterface(up::MANAGEMENT)
        .withOutputParamNames("apps")
        .implementedAs([this]() {
            std::vector<sdbus::Struct<std::string, std::uint32_t, std::string, std::string, std::uint32_t>> apps;
            for (const auto& r : registrar_.registrations())
                apps.emplace_back(r.service, static_cast<std::uint32_t>(r.version), r.description, r.endpoint,
                                  static_cast<std::uint32_t>(registrar_.waitingFor(r.pushToken)));
            return apps;
        });
    object_->registerMethod("RemoveApp")
        .onInterface(up::MANAGEMENT)
        .withInputParamNames("service")
        .withOutputParamNames("removed")
        .implementedAs([this, post](sdbus::Result<std::uint32_t>&& result, std::string service) {
            answerLater(std::move(result), [&] {
                if (!up::validServiceName(service)) throw sdbus::Error(INVALID_ARGS, "service is not a bus name");
                return [this, service] { return std::make_tuple(static_cast<std::uint32_t>(registrar_.removeService(service))); };
            }, post);
        });
    object_->finishRegistration();
}

}  // namespace dhtpush::device
