# The sanitizer build covers the whole tree (tests included) so that a layout
# mismatch with the OpenDHT library shows up as an ASan report, not silent corruption.
if(DHTPUSH_SANITIZE)
  add_compile_options(-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
  add_link_options(-fsanitize=address,undefined)
endif()
