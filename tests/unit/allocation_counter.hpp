// Counts global operator new calls in the unit test binary (the counting replacements live in
// media_alloc_test.cpp; one binary can only replace them once). Tests of hot paths read the count
// before and after the work they claim allocates nothing.
#pragma once

namespace telephony::testing {
long allocation_count();
}  // namespace telephony::testing
