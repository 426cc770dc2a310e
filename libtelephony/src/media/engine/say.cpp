// Say* building blocks: text -> Asterisk English prompt names, played as one sequence.
#include <cctype>
#include <limits>

#include "telephony/media/playback.hpp"

namespace telephony::media {

namespace asio = boost::asio;

namespace {
void append_number(long long n, std::vector<std::string>& out) {
  // Scales first, each said as a number below 1000 followed by its word, as ast_say_number
  // does for English (no "and").
  struct Scale { long long value; const char* word; };
  static constexpr Scale kScales[] = {{1000000000LL, "digits/billion"}, {1000000LL, "digits/million"},
                                      {1000LL, "digits/thousand"}};
  for (const auto& s : kScales) {
    if (n >= s.value) {
      append_number(n / s.value, out);
      out.emplace_back(s.word);
      n %= s.value;
    }
  }
  if (n >= 100) {
    out.push_back("digits/" + std::to_string(n / 100));
    out.emplace_back("digits/hundred");
    n %= 100;
  }
  if (n > 20) {
    out.push_back("digits/" + std::to_string(n / 10 * 10));
    n %= 10;
  }
  if (n > 0) out.push_back("digits/" + std::to_string(n));
}

// Punctuation prompts of the English set (letters/ folder), as ast_say_character_str names them.
const char* symbol_prompt(char c) {
  switch (c) {
    case '*': return "digits/star";
    case '#': return "digits/pound";
    case '!': return "letters/exclaimation-point";  // sic: the prompt set's spelling
    case '@': return "letters/at";
    case '$': return "letters/dollar";
    case '-': return "letters/dash";
    case '.': return "letters/dot";
    case '=': return "letters/equals";
    case '+': return "letters/plus";
    case '/': return "letters/slash";
    case ' ': return "letters/space";
    default: return nullptr;
  }
}
}  // namespace

std::vector<std::string> digit_prompts(std::string_view digits) {
  std::vector<std::string> out;
  for (char c : digits) {
    if (c >= '0' && c <= '9') out.push_back(std::string("digits/") + c);
    else if (c == '*') out.emplace_back("digits/star");
    else if (c == '#') out.emplace_back("digits/pound");
    else if (c == '-') out.emplace_back("digits/minus");
  }
  return out;
}

std::vector<std::string> number_prompts(long long n) {
  std::vector<std::string> out;
  if (n == 0) return {"digits/0"};
  if (n < 0) {
    out.emplace_back("digits/minus");
    // -LLONG_MIN overflows; say its magnitude through unsigned arithmetic is not worth it here.
    n = n == std::numeric_limits<long long>::min() ? std::numeric_limits<long long>::max() : -n;
  }
  append_number(n, out);
  return out;
}

std::vector<std::string> alpha_prompts(std::string_view text) {
  std::vector<std::string> out;
  for (char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if (std::isalpha(u)) out.push_back(std::string("letters/") + static_cast<char>(std::tolower(u)));
    else if (std::isdigit(u)) out.push_back(std::string("digits/") + c);
    else if (const char* p = symbol_prompt(c)) out.emplace_back(p);
    else if (u > 32 && u < 127) out.push_back("letters/ascii" + std::to_string(u));
  }
  return out;
}

std::vector<std::string> phonetic_prompts(std::string_view text) {
  std::vector<std::string> out;
  for (char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if (std::isalpha(u)) out.push_back(std::string("phonetic/") + static_cast<char>(std::tolower(u)) + "_p");
    else {
      auto one = alpha_prompts(std::string_view(&c, 1));
      out.insert(out.end(), one.begin(), one.end());
    }
  }
  return out;
}

// A character without a prompt in the set is skipped rather than ending the sentence.
asio::awaitable<PlayResult> say_digits(Channel::Ptr chan, std::string digits, PlayOptions opts) {
  opts.skip_missing = true;
  auto prompts = digit_prompts(digits);  // named: GCC 12 destroys temporaries in a co_await operand twice
  co_return co_await play_files(std::move(chan), std::move(prompts), std::move(opts));
}
asio::awaitable<PlayResult> say_number(Channel::Ptr chan, long long n, PlayOptions opts) {
  opts.skip_missing = true;
  auto prompts = number_prompts(n);  // named: GCC 12 destroys temporaries in a co_await operand twice
  co_return co_await play_files(std::move(chan), std::move(prompts), std::move(opts));
}
asio::awaitable<PlayResult> say_alpha(Channel::Ptr chan, std::string text, PlayOptions opts) {
  opts.skip_missing = true;
  auto prompts = alpha_prompts(text);  // named: GCC 12 destroys temporaries in a co_await operand twice
  co_return co_await play_files(std::move(chan), std::move(prompts), std::move(opts));
}
asio::awaitable<PlayResult> say_phonetic(Channel::Ptr chan, std::string text, PlayOptions opts) {
  opts.skip_missing = true;
  auto prompts = phonetic_prompts(text);  // named: GCC 12 destroys temporaries in a co_await operand twice
  co_return co_await play_files(std::move(chan), std::move(prompts), std::move(opts));
}

}  // namespace telephony::media
