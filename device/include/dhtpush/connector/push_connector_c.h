/* The app library's C API, for apps in other languages (push_connector.h is the C++ one).
 * Callbacks run on the library's D-Bus thread. Strings passed to them live for the call. */
#ifndef DHTPUSH_PUSH_CONNECTOR_C_H
#define DHTPUSH_PUSH_CONNECTOR_C_H

#ifdef __cplusplus
extern "C" {
#endif

typedef struct dhtpush_connector dhtpush_connector;

typedef struct dhtpush_connector_callbacks {
    void (*on_new_endpoint)(void* user, const char* endpoint, const char* subscription_json);
    void (*on_message)(void* user, const char* plaintext, unsigned long length, const char* id);
    void (*on_unregistered)(void* user);
    void (*on_registration_failed)(void* user, const char* reason);
    void* user;
} dhtpush_connector_callbacks;

/* NULL on failure; then *error (if given) is a message to free with dhtpush_connector_free_string. */
dhtpush_connector* dhtpush_connector_create(const char* app_id, const char* data_dir,
                                            const dhtpush_connector_callbacks* callbacks, char** error);
/* 0 on success; otherwise non-zero and *error as above. vapid_key and description may be NULL. */
int dhtpush_connector_register(dhtpush_connector* connector, const char* vapid_key, const char* description,
                               char** error);
int dhtpush_connector_unregister(dhtpush_connector* connector, char** error);
void dhtpush_connector_destroy(dhtpush_connector* connector);
void dhtpush_connector_free_string(char* text);

#ifdef __cplusplus
}
#endif

#endif
