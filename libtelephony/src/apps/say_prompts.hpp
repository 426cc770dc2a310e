// Prompt lists for the Say* applications beyond the media engine's digits/number/alpha/phonetic
// (internal, pure; the English prompt set as Asterisk's say.c names it): ordinals, money, case-
// sensitive spelling, dates and times in voicemail.conf's format language.
#pragma once

#include <ctime>
#include <string>
#include <string_view>
#include <vector>

namespace telephony::dialplan::say {

// "first", "twenty-second", "one hundred and third" … (digits/h-N, digits/h-hundred …).
std::vector<std::string> ordinal_prompts(long long n);

// "12.34" -> twelve dollars and thirty four cents; "1" -> one dollar; ".5" -> five cents (%02u).
std::vector<std::string> money_prompts(std::string_view amount);

// SayAlphaCase: 'a' both cases announced, 'l' lower case announced, 'u' upper case, 'n' none.
std::vector<std::string> alpha_case_prompts(char casetype, std::string_view text);

// SayUnixTime's format (default "ABdY 'digits/at' IMp"): A/a weekday, B/b/h month, m month as an
// ordinal, d/e day ordinal, Y year, I/l 12-hour, H/k 24-hour, M/N minute, P/p am/pm, Q/q
// relative day, R = HM, S seconds, T = HMS, 'file' a literal prompt; spaces ignored. `now`
// decides Q/q. Unknown letters are skipped (Asterisk warns and skips).
std::vector<std::string> datetime_prompts(const std::tm& when, std::string_view format, const std::tm& now,
                                          std::time_t when_epoch, std::time_t now_epoch,
                                          std::vector<char>* unknown = nullptr);

}  // namespace telephony::dialplan::say
