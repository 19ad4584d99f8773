#pragma once
// `idle-connections --port P --count N`: TCP connections to 127.0.0.1:P that never send a
// byte (for an HTTPS port: never start TLS), from 127.0.0.2-80; each one the node closes is
// opened again, so the node always faces about N of them. Runs until stdin closes, then
// prints {"opened": total} on stdout.
//
// A process of its own: the attacker's ends of 10,000 connections would not fit in the
// open-file limit of the process that also holds the node's ends.
#include <map>
#include <string>

namespace dhtpush::bench {

int runIdleConnections(const std::map<std::string, std::string>& options);

}  // namespace dhtpush::bench
