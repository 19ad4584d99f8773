#include "file_budget.h"

#include <catch2/catch.hpp>

using dhtpush::proxy::connectionsThatFit;
using dhtpush::proxy::RESERVED_FILES;

TEST_CASE("the connection limit is lowered to fit the open-file limit", "[proxy][file_budget]") {
    CHECK(connectionsThatFit(1048576, 2, 10000) == 10000);             // plenty: as configured
    CHECK(connectionsThatFit(1024, 1, 10000) == 1024 - RESERVED_FILES);  // a default soft limit
    CHECK(connectionsThatFit(1024, 2, 10000) == (1024 - RESERVED_FILES) / 2);
    CHECK(connectionsThatFit(64, 1, 10000) == 1);                      // never zero: the node still serves
}
