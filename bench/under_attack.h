#pragma once
// Honest delivery while one node is attacked (docs/security.md): a device on proxy A of a
// local network receives sequential WebPush messages POSTed to A, in rounds of a quiet phase
// and an attacked one, the attack being one of
//   none      nothing (how far two quiet phases differ),
//   forged    a hostile DHT peer floods a VAPID-bound subscription on A with envelopes whose
//             proofs fail only at the signature (each would cost A a verification),
//   flood     4 senders POST as fast as they can to one token on A,
//   idle-tls  up to 10,000 TCP connections to A's HTTPS port that never start TLS, from 79
//             loopback addresses, reopened as A closes them (a child process holds them),
//   reconnect 200 devices on A, each with 100 messages it never acks, reopen their event
//             streams as fast as 4 threads can, from 79 loopback addresses.
// /health is probed every 20 ms meanwhile, 200 times at least in each condition (--probes). The other
// DHT nodes and the attacker run at the lowest CPU priority: on the internet they have their
// own machines. Everything stays on 127.0.0.0/8 and stops after the samples.
#include <json/json.h>

#include <cstddef>
#include <string>

namespace dhtpush::bench {

struct AttackRun {
    std::string kind{"none"};
    std::size_t samples{300};
    std::size_t rounds{4};  // of (no attack, attack), the samples split between them
    std::size_t probes{200};  // of /health at least, in each condition
    std::size_t idleConnections{10000};
    std::size_t stormDevices{200};
    std::size_t stormBacklog{100};
};

Json::Value runUnderAttack(const AttackRun& run);

}  // namespace dhtpush::bench
