// Cost of the end-to-end crypto per message (RFC 8291) and of sender authentication
// (RFC 8292), with Google Benchmark.
#include <benchmark/benchmark.h>

#include <ctime>

#include "dhtpush/crypto/subscription_keys.h"
#include "dhtpush/crypto/vapid.h"
#include "dhtpush/crypto/webpush_encryption.h"

namespace {

using namespace dhtpush::crypto;

const SubscriptionKeys& keys() {
    static const auto k = generateSubscriptionKeys().value();
    return k;
}

void webpushEncryptMessage(benchmark::State& state) {
    const Bytes plaintext(static_cast<std::size_t>(state.range(0)), 'x');
    for (auto _ : state) benchmark::DoNotOptimize(webpushEncrypt(plaintext, keys().p256dh, keys().auth));
}
BENCHMARK(webpushEncryptMessage)->Arg(100)->Arg(3993);

void webpushDecryptMessage(benchmark::State& state) {
    const Bytes plaintext(static_cast<std::size_t>(state.range(0)), 'x');
    const auto body = webpushEncrypt(plaintext, keys().p256dh, keys().auth).value();
    for (auto _ : state) benchmark::DoNotOptimize(webpushDecrypt(body, keys().p256dh, keys().privateKey, keys().auth));
}
BENCHMARK(webpushDecryptMessage)->Arg(100)->Arg(3993);

void vapidSign(benchmark::State& state) {
    const auto vapid = generateVapidKeys().value();
    for (auto _ : state)
        benchmark::DoNotOptimize(vapidAuthorization(vapid, "https://push.example.net", "mailto:ops@example.net",
                                                    std::time(nullptr) + 3600));
}
BENCHMARK(vapidSign);

void vapidVerify(benchmark::State& state) {
    const auto vapid = generateVapidKeys().value();
    const auto header = vapidAuthorization(vapid, "https://push.example.net", "mailto:ops@example.net",
                                           std::time(nullptr) + 3600)
                            .value();
    for (auto _ : state)
        benchmark::DoNotOptimize(
            verifyVapidAuthorization(header, vapid.publicKey, "https://push.example.net", std::time(nullptr)));
}
BENCHMARK(vapidVerify);

}  // namespace

BENCHMARK_MAIN();
