// SseParser on a hostile stream, fed in chunks and in one go: the events must not depend on
// how the stream was split. Input: byte 0 gives the number n (1..8) of chunk-size
// bytes that follow; chunk sizes are those bytes + 1, cycled; the stream is the rest.
// (Inputs up to -max_len=9000 do not reach the 64 KiB overflow path; repeating the stream
// past it was tried and cut throughput about fifty times, as libFuzzer favours those runs.)
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "dhtpush/client/sse_parser.h"
#include "fuzz_check.h"

using dhtpush::client::SseEvent;
using dhtpush::client::SseParser;
using dhtpush::fuzz::check;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 1) return 0;
    const std::size_t sizeCount = std::min<std::size_t>(data[0] % 8 + 1, size - 1);
    const std::uint8_t* sizes = data + 1;
    const std::string_view stream(reinterpret_cast<const char*>(data + 1 + sizeCount), size - 1 - sizeCount);

    std::vector<SseEvent> chunkedEvents;
    SseParser chunked([&](const SseEvent& e) { chunkedEvents.push_back(e); });
    bool chunkedOk = true;
    std::size_t offset = 0;
    for (std::size_t i = 0; offset < stream.size(); ++i) {
        const std::size_t chunk = sizeCount == 0 ? stream.size() : std::size_t{sizes[i % sizeCount]} + 1;
        chunkedOk = chunked.feed(stream.substr(offset, chunk));
        offset += chunk;
    }

    std::vector<SseEvent> wholeEvents;
    SseParser whole([&](const SseEvent& e) { wholeEvents.push_back(e); });
    const bool wholeOk = whole.feed(stream);

    check(chunkedOk == wholeOk, "overflow depends on the split");
    check(chunked.lastEventId() == whole.lastEventId(), "last event id depends on the split");
    check(chunkedEvents.size() == wholeEvents.size(), "number of events depends on the split");
    for (std::size_t i = 0; i < wholeEvents.size(); ++i) {
        check(wholeEvents[i].data.size() <= SseParser::MAX_EVENT_BYTES, "dispatched an event above MAX_EVENT_BYTES");
        check(chunkedEvents[i].id == wholeEvents[i].id, "event id depends on the split");
        check(chunkedEvents[i].type == wholeEvents[i].type, "event type depends on the split");
        check(chunkedEvents[i].data == wholeEvents[i].data, "event data depends on the split");
    }
    return 0;
}
