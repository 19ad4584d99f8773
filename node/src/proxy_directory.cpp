#include "proxy_directory.h"

#include "dhtpush/crypto/base64url.h"
#include "dhtpush/node/push_value_type.h"

namespace dhtpush::node {
namespace {

dht::InfoHash directoryHash() {
    const auto key = proxyDirectoryKey();
    return dht::InfoHash(key.data(), key.size());
}

}  // namespace

ProxyDirectory::ProxyDirectory(dht::DhtRunner& runner, std::function<void()> kick, crypto::VapidKeys signingKey)
    : runner_(runner), kick_(std::move(kick)), signingKey_(std::move(signingKey)) {
    const auto point = crypto::base64urlDecode(signingKey_.publicKey);
    identity_ = proxyIdentity(point ? *point : crypto::Bytes{});
}

bool ProxyDirectory::start() {
    if (started_.exchange(true)) return false;
    auto onValues = [this](const std::vector<std::shared_ptr<dht::Value>>& values, bool expired) {
        if (!expired) take(values);
        return true;
    };
    const auto filter = [](const dht::Value& v) { return isProxyRecordValue(v); };
    runner_.get(
        directoryHash(),
        [onValues](const std::vector<std::shared_ptr<dht::Value>>& values) { return onValues(values, false); },
        dht::DoneCallbackSimple([ready = ready_](bool) { *ready = true; }), filter);
    runner_.listen(directoryHash(), onValues, filter);
    kick_();
    return true;
}

void ProxyDirectory::take(const std::vector<std::shared_ptr<dht::Value>>& values) {
    // Signatures checked before the lock: records() and count() do not wait on them.
    std::vector<ProxyRecord> checked;
    for (const auto& value : values) {
        auto record = value && isProxyRecordValue(*value) ? verifySignedProxyRecord(value->data)
                                                          : Expected<ProxyRecord>(makeError(Errc::Invalid, "not an entry"));
        if (record) checked.push_back(std::move(*record));
        else ++refused_;
    }
    std::lock_guard<std::mutex> lock(mutex_);
    refused_ += view_.take(std::move(checked), unixNowMs());
}

void ProxyDirectory::announce(const ProxyRecord& record, const std::string& nodeId) {
    auto entry = record;
    entry.nodeId = nodeId;
    auto data = signProxyRecord(entry, signingKey_);
    if (!data) {
        ++*announceFailures_;
        return;
    }
    // A new value id each time: OpenDHT 2.4's listeners are not told of a value edited in place
    // (same id), so a refreshed entry must be a new value. Readers keep the latest per signer;
    // the storing nodes drop the older ones after the type's lifetime.
    auto value = std::make_shared<dht::Value>(PROXY_RECORD_VALUE_TYPE_ID, std::move(*data), randomPushValueId());
    value->user_type = PROXY_RECORD_USER_TYPE;
    const auto issued = record.issuedUnixMs;
    runner_.put(directoryHash(), value,
                dht::DoneCallbackSimple([last = lastAnnounced_, failures = announceFailures_, issued](bool ok) {
                    if (ok) *last = issued;
                    else ++*failures;
                }));
    kick_();
}

std::size_t ProxyDirectory::count(std::int64_t nowUnixMs) const {
    std::lock_guard<std::mutex> lock(mutex_);
    return view_.count(nowUnixMs);
}

std::vector<ProxyRecord> ProxyDirectory::records(std::int64_t nowUnixMs) const {
    std::lock_guard<std::mutex> lock(mutex_);
    return view_.records(nowUnixMs);
}

}  // namespace dhtpush::node
