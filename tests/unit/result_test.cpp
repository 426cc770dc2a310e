#include "telephony/result.hpp"

#include <gtest/gtest.h>

using telephony::Error;
using telephony::fail;
using telephony::Result;

namespace {
Result<int> parse_digit(char c) {
  if (c < '0' || c > '9') return fail(std::string("not a digit: ") + c, "offset 0");
  return c - '0';
}
}  // namespace

TEST(Result, CarriesValueOrErrorWithLocation) {
  auto ok = parse_digit('7');
  ASSERT_TRUE(ok);
  EXPECT_EQ(*ok, 7);
  auto bad = parse_digit('x');
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().to_string(), "offset 0: not a digit: x");
  EXPECT_EQ(bad.value_or(-1), -1);
}

TEST(Result, VoidResult) {
  Result<void> ok;
  EXPECT_TRUE(ok);
  Result<void> bad = fail("broken", "x.conf:3");
  EXPECT_FALSE(bad);
  EXPECT_EQ(bad.error().to_string(), "x.conf:3: broken");
}
