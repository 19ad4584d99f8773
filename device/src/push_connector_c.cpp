// The C API over PushConnector (push_connector_c.h).
#include "dhtpush/connector/push_connector_c.h"

#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>

#include "dhtpush/connector/push_connector.h"

struct dhtpush_connector {
    std::unique_ptr<dhtpush::connector::PushConnector> impl;
};

namespace {

void setError(char** error, const std::string& text) {
    if (!error) return;
    *error = static_cast<char*>(std::malloc(text.size() + 1));
    if (*error) std::memcpy(*error, text.c_str(), text.size() + 1);
}

}  // namespace

extern "C" {

dhtpush_connector* dhtpush_connector_create(const char* app_id, const char* data_dir,
                                            const dhtpush_connector_callbacks* callbacks, char** error) {
    if (!app_id || !data_dir || !callbacks) {
        setError(error, "app_id, data_dir and callbacks are required");
        return nullptr;
    }
    const dhtpush_connector_callbacks c = *callbacks;
    dhtpush::connector::Callbacks cpp;
    if (c.on_new_endpoint)
        cpp.onNewEndpoint = [c](const std::string& endpoint, const std::string& json) { c.on_new_endpoint(c.user, endpoint.c_str(), json.c_str()); };
    if (c.on_message)
        cpp.onMessage = [c](const std::string& text, const std::string& id) { c.on_message(c.user, text.c_str(), text.size(), id.c_str()); };
    if (c.on_unregistered) cpp.onUnregistered = [c] { c.on_unregistered(c.user); };
    if (c.on_registration_failed)
        cpp.onRegistrationFailed = [c](const std::string& reason) { c.on_registration_failed(c.user, reason.c_str()); };
    auto made = dhtpush::connector::PushConnector::create(app_id, data_dir, std::move(cpp));
    if (!made) {
        setError(error, made.error().detail);
        return nullptr;
    }
    return new dhtpush_connector{std::move(*made)};
}

int dhtpush_connector_register(dhtpush_connector* connector, const char* vapid_key, const char* description, char** error) {
    if (!connector) return -1;
    auto registered = connector->impl->registerApp(vapid_key ? vapid_key : "", description ? description : "");
    if (registered) return 0;
    setError(error, registered.error().detail);
    return 1;
}

int dhtpush_connector_unregister(dhtpush_connector* connector, char** error) {
    if (!connector) return -1;
    auto unregistered = connector->impl->unregisterApp();
    if (unregistered) return 0;
    setError(error, unregistered.error().detail);
    return 1;
}

void dhtpush_connector_destroy(dhtpush_connector* connector) { delete connector; }

void dhtpush_connector_free_string(char* text) { std::free(text); }

}  // extern "C"
