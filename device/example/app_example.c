/* dhtpush-app-example: an app that gets push through the app library's C API. It registers
 * with the session bus's UnifiedPush distributor, prints its endpoint and subscription JSON
 * (give them to an app server, or to `dhtpush send --subscription FILE`), then every message,
 * decrypted, until SIGINT or SIGTERM.
 *   dhtpush-app-example [--name BUS_NAME] [--data DIR] [--vapid KEY]  */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dhtpush/connector/push_connector_c.h"

static void on_new_endpoint(void* user, const char* endpoint, const char* subscription_json) {
    (void)user;
    printf("endpoint: %s\nsubscription: %s\n", endpoint, subscription_json);
    fflush(stdout);
}

static void on_message(void* user, const char* plaintext, unsigned long length, const char* id) {
    (void)user;
    printf("message %s: %.*s\n", id, (int)length, plaintext);
    fflush(stdout);
}

static void on_unregistered(void* user) {
    (void)user;
    printf("unregistered\n");
    fflush(stdout);
}

static void on_registration_failed(void* user, const char* reason) {
    (void)user;
    printf("registration failed: %s\n", reason);
    fflush(stdout);
}

int main(int argc, char** argv) {
    const char* name = "org.dhtpush.Example";
    const char* vapid = NULL;
    char data_default[4096];
    const char* home = getenv("HOME");
    snprintf(data_default, sizeof data_default, "%s/.local/share/dhtpush-app-example", home ? home : ".");
    const char* data = data_default;
    for (int i = 1; i < argc; ++i) {
        if (i + 1 < argc && strcmp(argv[i], "--name") == 0) name = argv[++i];
        else if (i + 1 < argc && strcmp(argv[i], "--data") == 0) data = argv[++i];
        else if (i + 1 < argc && strcmp(argv[i], "--vapid") == 0) vapid = argv[++i];
        else {
            fprintf(stderr, "usage: dhtpush-app-example [--name BUS_NAME] [--data DIR] [--vapid KEY]\n");
            return 2;
        }
    }
    sigset_t signals;
    sigemptyset(&signals);
    sigaddset(&signals, SIGINT);
    sigaddset(&signals, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &signals, NULL); /* before the library's threads start */

    dhtpush_connector_callbacks callbacks = {on_new_endpoint, on_message, on_unregistered, on_registration_failed, NULL};
    char* error = NULL;
    dhtpush_connector* connector = dhtpush_connector_create(name, data, &callbacks, &error);
    if (!connector) {
        fprintf(stderr, "dhtpush-app-example: %s\n", error);
        dhtpush_connector_free_string(error);
        return 1;
    }
    if (dhtpush_connector_register(connector, vapid, "dhtpush's example app", &error) != 0) {
        fprintf(stderr, "dhtpush-app-example: %s\n", error);
        dhtpush_connector_free_string(error);
        dhtpush_connector_destroy(connector);
        return 1;
    }
    int signal_number = 0;
    sigwait(&signals, &signal_number);
    dhtpush_connector_destroy(connector);
    return 0;
}
