#pragma once
// A fresh folder under the system's temporary directory, removed with everything in it.
#include <filesystem>
#include <string>

#include "dhtpush/crypto/base64url.h"
#include "dhtpush/crypto/random.h"

namespace dhtpush::test {

class TempDir {
public:
    TempDir()
        : path_(std::filesystem::temp_directory_path() /
                ("dhtpush-test-" + crypto::base64urlEncode(crypto::randomBytes(9)))) {
        std::filesystem::create_directories(path_);
    }
    ~TempDir() {
        std::error_code ec;
        std::filesystem::remove_all(path_, ec);
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    const std::filesystem::path& path() const { return path_; }

private:
    std::filesystem::path path_;
};

}  // namespace dhtpush::test
