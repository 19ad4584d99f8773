find_package(PkgConfig REQUIRED)

# Debian's opendht config names imported targets it never creates: make them first.
pkg_check_modules(Jsoncpp REQUIRED IMPORTED_TARGET jsoncpp)
pkg_check_modules(OPENSSL REQUIRED IMPORTED_TARGET openssl)
pkg_check_modules(GnuTLS REQUIRED IMPORTED_TARGET gnutls)
pkg_check_modules(Nettle REQUIRED IMPORTED_TARGET nettle hogweed)
pkg_check_modules(SQLite3 REQUIRED IMPORTED_TARGET sqlite3)
pkg_check_modules(Curl REQUIRED IMPORTED_TARGET libcurl)
# sd_notify: dhtpush-node tells systemd when it serves (Type=notify, packaging/).
pkg_check_modules(Systemd REQUIRED IMPORTED_TARGET libsystemd)
find_package(msgpack CONFIG REQUIRED)
find_package(opendht 2.4 REQUIRED)
find_package(fmt REQUIRED)
# The one logger (node/include/dhtpush/node/log.h); Debian builds it on the same external fmt.
find_package(spdlog REQUIRED)
# Configuration files (dhtpush-node --config, the distributor's): Debian's libtomlplusplus-dev.
find_package(tomlplusplus REQUIRED)
# The one option parser of the node, the CLI and the distributor (node/include/dhtpush/node/command_line.h).
find_package(CLI11 REQUIRED)
find_package(restinio 0.6.16 EXACT REQUIRED)
find_package(Threads REQUIRED)

# Debian built libopendht with these switches, and several change class layouts
# (sizeof(dht::DhtProxyServer) differs without OPENDHT_PUSH_NOTIFICATIONS). Every
# translation unit that includes an OpenDHT header must see exactly this set; neither
# the CMake package nor pkg-config exports it.
add_library(dhtpush_opendht INTERFACE)
target_compile_definitions(dhtpush_opendht INTERFACE
  OPENDHT_PROXY_SERVER OPENDHT_PROXY_CLIENT OPENDHT_PUSH_NOTIFICATIONS
  OPENDHT_PEER_DISCOVERY OPENDHT_JSONCPP ASIO_STANDALONE
  # restinio's CMake package adds these to its users; OpenDHT's headers include
  # restinio, so every asio user in the tree must agree on them.
  ASIO_HAS_STD_CHRONO ASIO_DISABLE_STD_STRING_VIEW
  # asio 1.22 decides this from _GLIBCXX_HAVE_ALIGNED_ALLOC, which is only defined once a
  # standard header was included: a file that includes asio first gets operator new, the
  # library gets aligned_alloc, and memory allocated on one side is freed with the other's
  # function (ASan: alloc-dealloc-mismatch, tests/integration/opendht_layout_test.cpp).
  ASIO_HAS_STD_ALIGNED_ALLOC=1)
target_link_libraries(dhtpush_opendht INTERFACE opendht PkgConfig::GnuTLS Threads::Threads)
