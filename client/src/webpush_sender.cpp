#include "dhtpush/client/webpush_sender.h"

#include "dhtpush/client/device_client.h"
#include "dhtpush/client/http_client.h"

namespace dhtpush::client {

Expected<PushReceipt> sendPush(const std::string& endpoint, const std::string& body, const PushOptions& options) {
    HttpRequest request{"POST", endpoint, {"TTL: " + std::to_string(options.ttlSeconds)}, body};
    if (!options.urgency.empty()) request.headers.push_back("Urgency: " + options.urgency);
    if (!options.topic.empty()) request.headers.push_back("Topic: " + options.topic);
    if (!options.contentEncoding.empty()) request.headers.push_back("Content-Encoding: " + options.contentEncoding);
    request.headers.push_back("Content-Type: application/octet-stream");
    auto response = httpRequest(request);
    if (!response) return response.error();
    if (response->status != 201) return errorFromResponse(response->status, response->body);
    PushReceipt receipt;
    receipt.location = response->headers["location"];
    try {
        receipt.ttlSeconds = static_cast<std::uint32_t>(std::stoul(response->headers["ttl"]));
    } catch (const std::exception&) {
        receipt.ttlSeconds = 0;  // a node that does not say which TTL it honours
    }
    return receipt;
}

}  // namespace dhtpush::client
