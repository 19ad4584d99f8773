#pragma once
// Files that hold secrets (device secrets, keys, tokens, message bodies) are the owner's
// only from the moment they exist: never created with the umask's mode and tightened later.
#include <string>
#include <string_view>

#include "dhtpush/expected.h"

namespace dhtpush::node {

// Creates `dir` and missing parents with mode 0700; an existing folder keeps its mode (the
// operator's choice). Unavailable when it cannot be created.
Status createPrivateDirectory(const std::string& dir);

// Creates an empty `path` with mode 0600 if it does not exist, and sets an existing one to
// 0600 (e.g. for SQLite, which gives its WAL files the same mode). Unavailable on failure.
Status ensurePrivateFile(const std::string& path);

// Writes `contents` to `path`, mode 0600 from creation, durably: a temporary file beside it,
// fsync, rename over `path`, fsync of the folder; a crash leaves the old file or the new one,
// never a torn one. With `replace` false an existing `path` is an error (Conflict).
// Unavailable on an I/O error (the disk full included); the old file is then untouched.
// With `sync` false the fsyncs are skipped, for a file written often whose last change may be
// lost: still never torn when the process dies (rename is atomic), but after a crash of the
// system the old file may come back.
Status writePrivateFile(const std::string& path, std::string_view contents, bool replace, bool sync = true);

}  // namespace dhtpush::node
