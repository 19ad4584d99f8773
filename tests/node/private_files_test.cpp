#include "dhtpush/node/private_files.h"

#include <sys/stat.h>

#include <fstream>
#include <sstream>

#include "temp_dir.h"

#include <catch2/catch.hpp>

using dhtpush::Errc;
using namespace dhtpush::node;

namespace {

unsigned modeOf(const std::filesystem::path& path) {
    struct stat st {};
    REQUIRE(::stat(path.c_str(), &st) == 0);
    return st.st_mode & 0777;
}

std::string read(const std::filesystem::path& path) {
    std::ifstream in(path);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

// A permissive umask, as a careless service manager may set: the modes must not depend on it.
struct OpenUmask {
    mode_t old = ::umask(0);
    ~OpenUmask() { ::umask(old); }
};

}  // namespace

TEST_CASE("private folders and files are the owner's only from creation", "[node][private_files]") {
    const dhtpush::test::TempDir tmp;
    const OpenUmask umask;
    const auto dir = tmp.path() / "a" / "b";
    REQUIRE(createPrivateDirectory(dir.string()).ok());
    CHECK(modeOf(dir) == 0700);
    REQUIRE(ensurePrivateFile((dir / "db").string()).ok());
    CHECK(modeOf(dir / "db") == 0600);
    REQUIRE(writePrivateFile((dir / "key").string(), "secret", false).ok());
    CHECK(modeOf(dir / "key") == 0600);
    CHECK(read(dir / "key") == "secret");
    REQUIRE(writePrivateFile((dir / "state").string(), "one", true).ok());
    REQUIRE(writePrivateFile((dir / "state").string(), "two", true).ok());
    CHECK(modeOf(dir / "state") == 0600);
    CHECK(read(dir / "state") == "two");
    CHECK_FALSE(std::filesystem::exists(dir / "state.tmp"));
}

TEST_CASE("a new private file never replaces an existing one", "[node][private_files]") {
    const dhtpush::test::TempDir tmp;
    const auto path = (tmp.path() / "key").string();
    REQUIRE(writePrivateFile(path, "first", false).ok());
    const auto again = writePrivateFile(path, "second", false);
    REQUIRE_FALSE(again.ok());
    CHECK(again.error().code == Errc::Conflict);
    CHECK(read(path) == "first");
}

TEST_CASE("an existing folder keeps its mode", "[node][private_files]") {
    const dhtpush::test::TempDir tmp;
    std::filesystem::permissions(tmp.path(), std::filesystem::perms::owner_all | std::filesystem::perms::group_read |
                                                 std::filesystem::perms::group_exec);
    REQUIRE(createPrivateDirectory(tmp.path().string()).ok());
    CHECK(modeOf(tmp.path()) == 0750);
}

TEST_CASE("a failed write leaves the old file", "[node][private_files]") {
    const dhtpush::test::TempDir tmp;
    const auto path = (tmp.path() / "state").string();
    REQUIRE(writePrivateFile(path, "old", true).ok());
    // A folder where the temporary file would go: the write fails before anything is replaced.
    std::filesystem::create_directory(path + ".tmp");
    std::filesystem::create_directory(path + ".tmp/x");
    CHECK_FALSE(writePrivateFile(path, "new", true).ok());
    CHECK(read(path) == "old");
}

TEST_CASE("an existing file is made the owner's only", "[node][private_files]") {
    const dhtpush::test::TempDir tmp;
    const auto path = tmp.path() / "proxy.sqlite";
    std::ofstream(path) << "old";
    std::filesystem::permissions(path, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write |
                                           std::filesystem::perms::group_read | std::filesystem::perms::others_read);
    REQUIRE(ensurePrivateFile(path.string()).ok());
    CHECK(modeOf(path) == 0600);
    CHECK(read(path) == "old");
}
