# Warnings reach our targets through this interface library, linked PRIVATE,
# so third-party headers and consumers are not affected.
add_library(dhtpush_warnings INTERFACE)
target_compile_options(dhtpush_warnings INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Wold-style-cast
  -Wcast-align -Woverloaded-virtual -Wformat=2)
# Not -Wnull-dereference: at -O2 it fires inside inlined asio headers, not on our code.
if(DHTPUSH_WERROR)
  target_compile_options(dhtpush_warnings INTERFACE -Werror)
endif()
