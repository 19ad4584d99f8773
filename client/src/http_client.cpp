#include "dhtpush/client/http_client.h"

#include <curl/curl.h>

#include <algorithm>
#include <cstdlib>
#include <memory>
#include <mutex>

namespace dhtpush::client {
namespace {

std::string& defaultCaFile() {
    static std::string path;
    return path;
}

void globalInit() {
    static std::once_flag once;
    std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

struct Transfer {
    HttpResponse response;
    std::size_t maxBody{0};
    const std::function<bool(std::string_view)>* onChunk{nullptr};
    const std::atomic<bool>* stop{nullptr};
    bool streaming{false};
};

size_t onHeader(char* data, size_t size, size_t count, void* user) {
    auto* t = static_cast<Transfer*>(user);
    const std::string_view line(data, size * count);
    if (line.rfind("HTTP/", 0) == 0) {  // a new response (after 100 or a redirect)
        t->response.headers.clear();
        const auto space = line.find(' ');
        t->response.status = space == std::string_view::npos ? 0 : std::atol(std::string(line.substr(space + 1, 3)).c_str());
    }
    const auto colon = line.find(':');
    if (colon != std::string_view::npos) {
        std::string name(line.substr(0, colon));
        std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
        auto value = line.substr(colon + 1);
        while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
        while (!value.empty() && (value.back() == '\r' || value.back() == '\n' || value.back() == ' ')) value.remove_suffix(1);
        t->response.headers[name] = std::string(value);
    }
    return size * count;
}

size_t onBody(char* data, size_t size, size_t count, void* user) {
    auto* t = static_cast<Transfer*>(user);
    const std::string_view chunk(data, size * count);
    // Only a successful answer is streamed; error answers (problem+json) are collected.
    if (t->streaming && t->response.status >= 200 && t->response.status < 300)
        return (*t->onChunk)(chunk) ? chunk.size() : 0;
    if (t->response.body.size() + chunk.size() > t->maxBody) return 0;
    t->response.body.append(chunk);
    return chunk.size();
}

int onProgress(void* user, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
    auto* t = static_cast<Transfer*>(user);
    return (t->stop && t->stop->load()) ? 1 : 0;
}

using CurlHandle = std::unique_ptr<CURL, decltype(&curl_easy_cleanup)>;

// One handle per thread for plain requests: libcurl keeps its connections open between
// transfers, so a thread that sends many requests (an app server pushing, the device's acks)
// reuses one TCP (and TLS) connection per server instead of a handshake each. A connection
// the server closed meanwhile is noticed and replaced by libcurl.
CURL* requestHandle() {
    thread_local CurlHandle handle(curl_easy_init(), curl_easy_cleanup);
    if (handle) curl_easy_reset(handle.get());  // options go; connections and caches stay
    return handle.get();
}

Expected<HttpResponse> perform(const HttpRequest& request, Transfer& transfer) {
    globalInit();
    // A stream holds its connection for its whole life: a handle of its own.
    CurlHandle own(transfer.streaming ? curl_easy_init() : nullptr, curl_easy_cleanup);
    CURL* const c = transfer.streaming ? own.get() : requestHandle();
    if (!c) return makeError(Errc::Internal, "cannot create an HTTP client");
    curl_slist* headers = nullptr;
    for (const auto& h : request.headers) headers = curl_slist_append(headers, h.c_str());
    if (!request.body.empty() || request.method == "POST" || request.method == "PUT")
        headers = curl_slist_append(headers, "Expect:");  // no 100-continue round trip
    std::unique_ptr<curl_slist, decltype(&curl_slist_free_all)> headerGuard(headers, curl_slist_free_all);
    curl_easy_setopt(c, CURLOPT_URL, request.url.c_str());
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, request.method.c_str());
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, onHeader);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, &transfer);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, onBody);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &transfer);
    transfer.maxBody = request.maxBody;
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, std::min(5000L, static_cast<long>(request.timeout.count())));
    const auto& caFile = request.caFile.empty() ? defaultCaFile() : request.caFile;
    if (!caFile.empty()) curl_easy_setopt(c, CURLOPT_CAINFO, caFile.c_str());
    if (request.method == "POST" || request.method == "PUT" || !request.body.empty()) {
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, request.body.data());
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request.body.size()));
    }
    if (transfer.streaming) {
        curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
        curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, onProgress);
        curl_easy_setopt(c, CURLOPT_XFERINFODATA, &transfer);
        // A stalled stream (no keep-alive for a minute) is a dead one.
        curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, 1L);
        curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, 60L);
    } else {
        curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, static_cast<long>(request.timeout.count()));
    }
    const auto rc = curl_easy_perform(c);
    long status = 0;
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    transfer.response.status = status;
    const bool stoppedByUs = rc == CURLE_WRITE_ERROR || rc == CURLE_ABORTED_BY_CALLBACK;
    if (rc != CURLE_OK && !(transfer.streaming && stoppedByUs && status != 0))
        return makeError(Errc::Unavailable, request.method + " " + request.url + ": " + curl_easy_strerror(rc));
    return std::move(transfer.response);
}

}  // namespace

void setDefaultCaFile(std::string path) { defaultCaFile() = std::move(path); }

Expected<HttpResponse> httpRequest(const HttpRequest& request) {
    Transfer transfer;
    return perform(request, transfer);
}

Expected<HttpResponse> httpStream(const HttpRequest& request, const std::function<bool(std::string_view)>& onChunk,
                                  const std::atomic<bool>& stop) {
    Transfer transfer;
    transfer.streaming = true;
    transfer.onChunk = &onChunk;
    transfer.stop = &stop;
    return perform(request, transfer);
}

}  // namespace dhtpush::client
