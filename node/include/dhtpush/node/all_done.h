#pragma once
// One answer for several operations that each report done(ok): refetch's gets, one a lane
// and one a key (dht_node.cpp, subscription_router.cpp).
#include <atomic>
#include <cstddef>
#include <functional>
#include <memory>
#include <utility>

namespace dhtpush::node {

// The callback to give each of `parts` operations (any thread): `done`, if set, runs once
// after the last of them, with whether every one succeeded. `parts` must be at least 1.
inline std::function<void(bool)> allDone(std::size_t parts, std::function<void(bool)> done) {
    struct State {
        std::atomic<std::size_t> left;
        std::atomic<bool> ok{true};
        std::function<void(bool)> done;
    };
    auto state = std::make_shared<State>();
    state->left = parts;
    state->done = std::move(done);
    return [state](bool ok) {
        if (!ok) state->ok = false;
        if (--state->left == 0 && state->done) state->done(state->ok);
    };
}

}  // namespace dhtpush::node
