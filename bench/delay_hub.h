#pragma once
// A switch that delays: the part of netem the bench's network-namespace latency section needs,
// for kernels built without netem (sch_netem), like the 2-core CI machine's.
//
// Run inside the switch namespace of tests/integration/netns_helpers.sh (start_delay_hub), as
// bench/netns_latency.sh and the many-hosts test do, it joins the switch's ends of the
// hosts' veth pairs as a learning Ethernet switch that holds every frame `delay` before it
// sends it on, and loses a share of the UDP datagrams (the DHT's traffic; TCP would only
// resend, as with the many-hosts test's loss). A frame crosses it once between two hosts, so
// `delay` is the one-way delay: netem's `delay 10ms` on each host's egress is the same network.
//
// Frames are read and written with PACKET_VNET_HDR: the kernel says which frames still need
// their checksum or are TCP segments larger than the MTU (veth hands them over like that), and
// does that work when the frame is sent on, so no offload has to be turned off on the hosts.
//
// The delay can change while it runs (the many-hosts test's and scripts/chaos's delay fault):
// on SIGUSR1 it reads a number of milliseconds from the --delay-file.
//
// Bounded: at most 64 MiB of frames wait at once; past it a frame is dropped and counted, as
// a router's full queue would. Prints its counts as JSON when it gets SIGTERM or SIGINT.
#include <map>
#include <string>

namespace dhtpush::bench {

// dhtpush-delay-hub --ports v1,v2,... [--delay-ms 10] [--loss-permille 0] [--delay-file F]
int runDelayHub(const std::map<std::string, std::string>& options);

}  // namespace dhtpush::bench
