// The OpenDHT bug behind node/src/slot_seen_values.h, alone (docs/performance.md, *Listens per
// time slot*): 6 DhtRunners on loopback; node 5 listens at a random key with Where user_type =
// "s1" (`where`) or without a query (`all`); node 0, or with NEWPEER=1 a node that has just
// joined, puts one value tagged "s1"; how long until the listen hears it (CAP seconds, 60).
// Not part of the build (it needs OpenDHT's own defines, as the project's targets get them):
//   g++ -std=c++17 -O1 -DOPENDHT_JSONCPP -DOPENDHT_PEER_DISCOVERY -DOPENDHT_PROXY_CLIENT \
//     -DOPENDHT_PROXY_SERVER -DOPENDHT_PUSH_NOTIFICATIONS -DMSGPACK_DEFAULT_API_VERSION=3 \
//     where_listen_repro.cpp -o wrepro $(pkg-config --cflags --libs opendht) -lgnutls -lpthread
//   NEWPEER=1 CAP=8 ./wrepro 10 where; NEWPEER=1 CAP=8 ./wrepro 10 all
// Other switches: EARLY=1 (listen as the listener joins), GET=1 (a get first), THREE=1 (two
// more Where listens at the key), LOG=1 (OpenDHT's log of the listener).
#include <opendht.h>
#include <opendht/log.h>
#include <chrono>
#include <iostream>
#include <thread>
#include <atomic>
#include <future>
int main(int argc, char** argv) {
    const int runs = argc > 1 ? std::atoi(argv[1]) : 5;
    const bool where = argc > 2 ? std::string(argv[2]) == "where" : true;
    int failed = 0;
    for (int r = 0; r < runs; ++r) {
        std::vector<std::unique_ptr<dht::DhtRunner>> nodes;
        dht::DhtRunner::Config cfg;
        cfg.dht_config.node_config.network = 4242;
        cfg.threaded = true;
        for (int i = 0; i < 6; ++i) {
            auto n = std::make_unique<dht::DhtRunner>();
            n->run(0, cfg);
            if (i == 5 && std::getenv("LOG")) n->setLogger(dht::log::getStdLogger());
            if (i) n->bootstrap("127.0.0.1", std::to_string(nodes[0]->getBoundPort()));
            nodes.push_back(std::move(n));
        }
        const bool early = std::getenv("EARLY") != nullptr;
        if (!early) std::this_thread::sleep_for(std::chrono::seconds(2));
        for (int w = 0; w < 500 && nodes[5]->getNodesStats(AF_INET).good_nodes < 5; ++w) std::this_thread::sleep_for(std::chrono::milliseconds(10));
        std::cout << " listener good nodes " << nodes[5]->getNodesStats(AF_INET).good_nodes << std::endl;
        auto key = dht::InfoHash::getRandom();
        std::atomic<bool> got{false};
        auto t0 = std::chrono::steady_clock::now();
        auto cb = [&](const std::vector<std::shared_ptr<dht::Value>>& v, bool expired) { if (!expired && !v.empty()) got = true; return true; };
        if (std::getenv("GET")) nodes[5]->get(key, [](const std::vector<std::shared_ptr<dht::Value>>&) { return true; }, dht::DoneCallbackSimple{});
        if (std::getenv("THREE")) { nodes[5]->listen(key, cb, {}, dht::Where().userType("s0")); nodes[5]->listen(key, cb, {}, dht::Where().userType("s2")); }
        if (where) nodes[5]->listen(key, cb, {}, dht::Where().userType("s1"));
        else nodes[5]->listen(key, cb);
        std::this_thread::sleep_for(std::chrono::milliseconds(early ? 2500 : 500));
        t0 = std::chrono::steady_clock::now();
        dht::Value v(dht::ValueType::USER_DATA.id, dht::Blob{1,2,3});
        v.user_type = "s1";
        if (std::getenv("NEWPEER")) {
            auto n = std::make_unique<dht::DhtRunner>();
            n->run(0, cfg);
            n->bootstrap("127.0.0.1", std::to_string(nodes[0]->getBoundPort()));
            while (n->getNodesStats(AF_INET).good_nodes == 0) std::this_thread::sleep_for(std::chrono::milliseconds(5));
            std::promise<bool> p; auto f = p.get_future();
            n->put(key, std::move(v), [&p](bool ok) { p.set_value(ok); });
            std::cout << " put " << f.get() << std::endl;
            nodes.push_back(std::move(n));
        } else
        nodes[0]->put(key, std::move(v));
        while (!got && std::chrono::steady_clock::now() - t0 < std::chrono::seconds(std::getenv("CAP") ? std::atoi(std::getenv("CAP")) : 60)) std::this_thread::sleep_for(std::chrono::milliseconds(10));
        auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0).count();
        std::cout << "run " << r << (got ? " heard in " : " NOT heard, ") << ms << " ms" << std::endl;
        if (!got) ++failed;
        for (auto& n : nodes) n->shutdown({}, true);
        for (auto& n : nodes) n->join();
    }
    std::cout << failed << " of " << runs << " not heard" << std::endl;
}
