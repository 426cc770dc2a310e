#include "apps/say_prompts.hpp"

#include <cctype>
#include <climits>
#include <cstdlib>

#include "telephony/media/playback.hpp"

namespace telephony::dialplan::say {

namespace {
void append(std::vector<std::string>& out, std::vector<std::string> more) {
  out.insert(out.end(), std::make_move_iterator(more.begin()), std::make_move_iterator(more.end()));
}
}  // namespace

std::vector<std::string> ordinal_prompts(long long n) {
  // Asterisk's ast_say_enumeration_full_en, step by step: the last word of each scale is the
  // ordinal one (h-hundred, h-thousand …) when nothing follows it.
  std::vector<std::string> out;
  bool scaled = false;  // a thousand/million/billion was said: hundreds get their count
  if (n < 0) {
    out.emplace_back("digits/minus");
    n = n == LLONG_MIN ? 0 : -n;
  }
  while (n) {
    if (n < 20) {
      out.push_back("digits/h-" + std::to_string(n));
      n = 0;
    } else if (n < 100) {
      const long long tens = n / 10 * 10;
      n %= 10;
      out.push_back((n == 0 ? "digits/h-" : "digits/") + std::to_string(tens));
    } else if (n < 1000) {
      const long long hundreds = n / 100;
      n %= 100;
      if (hundreds > 1 || scaled) append(out, media::number_prompts(hundreds));
      out.emplace_back(n ? "digits/hundred" : "digits/h-hundred");
    } else {
      static constexpr std::pair<long long, const char*> kScales[] = {
          {1000000000LL, "billion"}, {1000000LL, "million"}, {1000LL, "thousand"}};
      for (const auto& [value, word] : kScales) {
        if (n < value) continue;
        const long long count = n / value;
        n %= value;
        // "thousandth" alone for 1000; the count is said from 2 on (and always for millions up).
        if (count > 1 || scaled || value > 1000) append(out, media::number_prompts(count));
        out.push_back(std::string(n ? "digits/" : "digits/h-") + word);
        scaled = true;
        break;
      }
    }
  }
  return out;
}

std::vector<std::string> money_prompts(std::string_view amount) {
  // Parsed as text (dollars, then at most two digits of cents), never as a float: "1.10" is one
  // dollar and ten cents, ".5" five cents, "3.7" three dollars and seven cents (as %02u reads).
  long long dollars = 0, cents = 0;
  std::string s(amount);
  std::size_t i = 0;
  bool any = false;
  bool negative = false;
  if (i < s.size() && (s[i] == '-' || s[i] == '+')) negative = s[i++] == '-';
  while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i])) && dollars < 100000000000LL) {
    dollars = dollars * 10 + (s[i++] - '0');
    any = true;
  }
  if (i < s.size() && s[i] == '.') {
    ++i;
    int digits = 0;
    while (i < s.size() && digits < 2 && std::isdigit(static_cast<unsigned char>(s[i]))) {
      cents = cents * 10 + (s[i++] - '0');
      ++digits;
      any = true;
    }
  }
  if (!any || negative) dollars = cents = 0;
  const long long amt = dollars * 100 + cents;
  std::vector<std::string> out;
  if (amt >= 100) {
    append(out, media::number_prompts(amt / 100));
    if (amt < 200) out.emplace_back(cents > 0 ? "letters/dollar_" : "letters/dollar");
    else out.emplace_back("dollars");
    if (cents > 0) out.emplace_back("and");
  }
  if (cents > 0) {
    append(out, media::number_prompts(cents));
    out.emplace_back(cents == 1 ? "cent" : "cents");
  } else if (amt == 0) {
    out.emplace_back("digits/0");
    out.emplace_back("cents");
  }
  return out;
}

std::vector<std::string> alpha_case_prompts(char casetype, std::string_view text) {
  const bool upper_said = casetype == 'u' || casetype == 'a';
  const bool lower_said = casetype == 'l' || casetype == 'a';
  std::vector<std::string> out;
  for (char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if (std::isupper(u) && upper_said) out.emplace_back("uppercase");
    else if (std::islower(u) && lower_said) out.emplace_back("lowercase");
    append(out, media::alpha_prompts(std::string_view(&c, 1)));
  }
  return out;
}

std::vector<std::string> datetime_prompts(const std::tm& tm, std::string_view format, const std::tm& now,
                                          std::time_t when_epoch, std::time_t now_epoch, std::vector<char>* unknown) {
  std::vector<std::string> out;
  auto digits = [](int n) { return "digits/" + std::to_string(n); };
  for (std::size_t i = 0; i < format.size(); ++i) {
    const char c = format[i];
    switch (c) {
      case '\'': {
        auto end = format.find('\'', i + 1);
        std::string_view file = format.substr(i + 1, end == std::string_view::npos ? std::string_view::npos : end - i - 1);
        if (!file.empty()) out.emplace_back(file);
        i = end == std::string_view::npos ? format.size() : end;
        break;
      }
      case 'A':
      case 'a': out.push_back("digits/day-" + std::to_string(tm.tm_wday)); break;
      case 'B':
      case 'b':
      case 'h': out.push_back("digits/mon-" + std::to_string(tm.tm_mon)); break;
      case 'm': append(out, ordinal_prompts(tm.tm_mon + 1)); break;
      case 'd':
      case 'e': append(out, ordinal_prompts(tm.tm_mday)); break;
      case 'Y':
        if (tm.tm_year > 99) {
          append(out, media::number_prompts(tm.tm_year + 1900));
        } else if (tm.tm_year >= 1) {
          out.emplace_back("digits/19");
          if (tm.tm_year <= 9) out.emplace_back("digits/oh");
          append(out, media::number_prompts(tm.tm_year));
        }
        break;
      case 'I':
      case 'l': out.push_back(digits(tm.tm_hour == 0 ? 12 : tm.tm_hour > 12 ? tm.tm_hour - 12 : tm.tm_hour)); break;
      case 'H':
      case 'k':
        if ((c == 'H' && tm.tm_hour < 10) || (c == 'k' && tm.tm_hour == 0)) out.emplace_back("digits/oh");
        if (tm.tm_hour != 0) {
          int remaining = tm.tm_hour;
          if (remaining > 20) {
            out.emplace_back("digits/20");
            remaining -= 20;
          }
          out.push_back(digits(remaining));
        }
        break;
      case 'M':
      case 'N':
        if (tm.tm_min == 0) {
          out.emplace_back(c == 'M' ? "digits/oclock" : "digits/hundred");
        } else if (tm.tm_min < 10) {
          out.emplace_back("digits/oh");
          out.push_back(digits(tm.tm_min));
        } else {
          append(out, media::number_prompts(tm.tm_min));
        }
        break;
      case 'P':
      case 'p': out.emplace_back(tm.tm_hour > 11 ? "digits/p-m" : "digits/a-m"); break;
      case 'Q':
      case 'q': {
        const std::time_t t = when_epoch;
        const std::time_t today = now_epoch - (now.tm_hour * 3600 + now.tm_min * 60 + now.tm_sec);
        std::string_view sub;
        if (today + 15768000 < t) sub = "BdY";
        else if (today + 2628000 < t) sub = "Bd";
        else if (today + 86400 * 6 < t) sub = "ABd";
        else if (today + 172800 < t) sub = "A";
        else if (today + 86400 < t) out.emplace_back("digits/tomorrow");
        else if (today < t) out.emplace_back("digits/today");
        else if (today - 86400 < t) out.emplace_back("digits/yesterday");
        else if (today - 86400 * 6 < t) sub = "A";
        else if (today - 2628000 < t) sub = "ABd";
        else if (today - 15768000 < t) sub = "Bd";
        else sub = "BdY";
        if (!sub.empty()) append(out, datetime_prompts(tm, sub, now, when_epoch, now_epoch, unknown));
        break;
      }
      case 'R': append(out, datetime_prompts(tm, "HM", now, when_epoch, now_epoch, unknown)); break;
      case 'S':
        if (tm.tm_sec == 0) {
          out.emplace_back("digits/0");
        } else if (tm.tm_sec < 10) {
          out.emplace_back("digits/oh");
          out.push_back(digits(tm.tm_sec));
        } else {
          append(out, media::number_prompts(tm.tm_sec));
        }
        break;
      case 'T': append(out, datetime_prompts(tm, "HMS", now, when_epoch, now_epoch, unknown)); break;
      case ' ':
      case '\t': break;
      default:
        if (unknown) unknown->push_back(c);
    }
  }
  return out;
}

}  // namespace telephony::dialplan::say
