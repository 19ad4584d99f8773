#include "dhtpush/node/private_files.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

namespace dhtpush::node {
namespace {

Error ioError(const std::string& what, const std::string& path) {
    return makeError(Errc::Unavailable, "cannot " + what + " " + path + ": " + std::strerror(errno));
}

bool writeAll(int fd, std::string_view contents) {
    std::size_t written = 0;
    while (written < contents.size()) {
        const auto n = ::write(fd, contents.data() + written, contents.size() - written);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return false;
        written += static_cast<std::size_t>(n);
    }
    return true;
}

void syncFolderOf(const std::string& path) {
    auto parent = std::filesystem::path(path).parent_path();
    if (parent.empty()) parent = ".";
    const int fd = ::open(parent.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return;  // the rename happened; only its durability across a power cut is weaker
    ::fsync(fd);
    ::close(fd);
}

}  // namespace

Status createPrivateDirectory(const std::string& dir) {
    namespace fs = std::filesystem;
    std::error_code ec;
    if (fs::is_directory(dir, ec)) return success();
    const auto parent = fs::path(dir).parent_path();
    if (!parent.empty() && !fs::exists(parent, ec)) fs::create_directories(parent, ec);
    if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) return ioError("create folder", dir);
    return success();
}

Status ensurePrivateFile(const std::string& path) {
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0) return ioError("create", path);
    // A file made by an older version may be readable by others: it is the owner's from now on.
    const bool tightened = ::fchmod(fd, 0600) == 0;
    ::close(fd);
    if (!tightened) return ioError("restrict", path);
    return success();
}

Status writePrivateFile(const std::string& path, std::string_view contents, bool replace, bool sync) {
    if (!replace) {
        const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
        if (fd < 0 && errno == EEXIST) return makeError(Errc::Conflict, path + " exists already");
        if (fd < 0) return ioError("create", path);
        const bool ok = writeAll(fd, contents) && ::fsync(fd) == 0;
        if (::close(fd) != 0 || !ok) {
            ::unlink(path.c_str());
            return ioError("write", path);
        }
        syncFolderOf(path);
        return success();
    }
    const auto temp = path + ".tmp";
    ::unlink(temp.c_str());  // a leftover of a crash; O_EXCL below keeps a planted link out
    const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) return ioError("create", temp);
    const bool ok = writeAll(fd, contents) && (!sync || ::fsync(fd) == 0);
    if (::close(fd) != 0 || !ok) {
        ::unlink(temp.c_str());
        return ioError("write", temp);
    }
    if (::rename(temp.c_str(), path.c_str()) != 0) {
        ::unlink(temp.c_str());
        return ioError("replace", path);
    }
    if (sync) syncFolderOf(path);
    return success();
}

}  // namespace dhtpush::node
