#pragma once
// A small blocking HTTP(S) client over libcurl, for the CLI and for tests.
#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "dhtpush/expected.h"

namespace dhtpush::client {

struct HttpResponse {
    long status{0};
    std::map<std::string, std::string> headers;  // names lower-cased
    std::string body;
};

struct HttpRequest {
    std::string method{"GET"};
    std::string url;
    std::vector<std::string> headers;  // "Name: value"
    std::string body;
    // The whole exchange (a stream's: its start); connecting takes at most 5 s of it.
    std::chrono::milliseconds timeout{10000};
    // A body longer than this (an error answer's, for a stream) fails the request.
    std::size_t maxBody{16 * 1024 * 1024};
    // PEM file of the certificate authorities trusted for https:// (instead of the system's);
    // empty: the process default (setDefaultCaFile), else the system's.
    std::string caFile{};
};

// The CA file of every request that names none (the CLI's --cacert). Call before any
// request is made; not synchronised with requests in flight.
void setDefaultCaFile(std::string path);

// Unavailable when the server cannot be reached or the transfer fails; any HTTP status
// is a successful exchange. Requests made on one thread reuse their connections (keep-alive).
Expected<HttpResponse> httpRequest(const HttpRequest& request);

// GETs a streaming response and hands each received chunk to onChunk until the server
// closes, onChunk returns false, or `stop` becomes true (libcurl checks it about once a
// second while the stream is idle).
// Returns the HTTP status, with the body of a non-2xx answer in HttpResponse::body.
Expected<HttpResponse> httpStream(const HttpRequest& request, const std::function<bool(std::string_view)>& onChunk,
                                  const std::atomic<bool>& stop);

}  // namespace dhtpush::client
