#include "seed_store.h"

#include <chrono>
#include <iostream>
#include <stdexcept>
#include <string>
#include <vector>

#include "device_store.h"
#include "dhtpush/crypto/token.h"
#include "dhtpush/node/private_files.h"
#include "sqlite_db.h"

namespace dhtpush::bench {
namespace {

constexpr std::size_t INBOXES = 16;  // ProxyConfig::inboxes' default
constexpr std::size_t BATCH = 20000;  // rows a transaction: one fsync each, not one a row

void check(const Status& status, const char* what) {
    if (!status) throw std::runtime_error(std::string(what) + ": " + status.error().detail);
}

}  // namespace

int runSeed(const std::map<std::string, std::string>& options) {
    const auto dir = options.at("--data-dir");
    const auto devices = std::stoul(options.at("--devices"));
    const auto subscriptions = std::stoul(options.at("--subscriptions"));
    if (devices == 0) throw std::runtime_error("--devices must be at least 1");
    const auto started = std::chrono::steady_clock::now();
    // As the node makes its data folder and database: the owner's only, from creation.
    check(node::createPrivateDirectory(dir), "data folder");
    const auto path = dir + "/proxy.sqlite";
    check(node::ensurePrivateFile(path), "database file");
    auto store = proxy::DeviceStore::open(path);
    if (!store) throw std::runtime_error(store.error().detail);
    auto& db = *(*store)->database();
    const auto inboxes = (*store)->inboxes(INBOXES);
    if (!inboxes) throw std::runtime_error(inboxes.error().detail);

    std::vector<proxy::NewDevice> made;
    made.reserve(devices);
    std::string firstToken;
    std::size_t rows = 0;
    auto row = [&] {
        if (++rows % BATCH == 0) {
            check(db.exec("COMMIT"), "commit");
            check(db.exec("BEGIN"), "begin");
        }
    };
    check(db.exec("BEGIN"), "begin");
    for (std::size_t d = 0; d < devices; ++d) {
        auto device = (*store)->createDevice();
        if (!device) throw std::runtime_error(device.error().detail);
        made.push_back(std::move(*device));
        row();
    }
    for (std::size_t s = 0; s < subscriptions; ++s) {
        const auto token = crypto::SubscriptionToken::generateInInbox((*inboxes)[s % INBOXES]);
        if (!token) throw std::runtime_error("no token could be made in an inbox");
        const auto& device = made[s % devices];
        check((*store)->addSubscription(device.id, token->text()), "subscription");
        if (s == 0) firstToken = token->text();
        row();
    }
    check(db.exec("COMMIT"), "commit");
    const auto seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    // The device's secret goes into a file of the owner's only, never to stdout or a command line.
    check(node::writePrivateFile(options.at("--device-file"),
                                 "{\"id\":\"" + made.front().id + "\",\"secret\":\"" + made.front().secret +
                                     "\",\"token\":\"" + firstToken + "\"}\n",
                                 false),
          "device file");
    std::cout << "{\"devices\":" << devices << ",\"subscriptions\":" << subscriptions << ",\"seconds\":" << seconds
              << "}" << std::endl;
    return 0;
}

}  // namespace dhtpush::bench
