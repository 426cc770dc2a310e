// Encodings and digests: BASE64_ENCODE, BASE64_DECODE, MD5, SHA1 (OpenSSL).
#include <openssl/evp.h>

#include "funcs/function_support.hpp"

namespace telephony::funcs {

namespace {

constexpr char kBase64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

std::string base64_encode(std::string_view in) {
  std::string out;
  std::size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    unsigned v = (static_cast<unsigned char>(in[i]) << 16) | (static_cast<unsigned char>(in[i + 1]) << 8) |
                 static_cast<unsigned char>(in[i + 2]);
    out += kBase64[(v >> 18) & 63];
    out += kBase64[(v >> 12) & 63];
    out += kBase64[(v >> 6) & 63];
    out += kBase64[v & 63];
  }
  if (i < in.size()) {
    unsigned v = static_cast<unsigned char>(in[i]) << 16;
    if (i + 1 < in.size()) v |= static_cast<unsigned char>(in[i + 1]) << 8;
    out += kBase64[(v >> 18) & 63];
    out += kBase64[(v >> 12) & 63];
    out += i + 1 < in.size() ? kBase64[(v >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

// Decodes until the first '=' or the end; characters outside the alphabet are skipped (as
// Asterisk's ast_base64decode does with line breaks).
std::string base64_decode(std::string_view in) {
  std::string out;
  unsigned acc = 0;
  int bits = 0;
  for (char c : in) {
    if (c == '=') break;
    const char* p = std::char_traits<char>::find(kBase64, 64, c);
    if (!p) continue;
    acc = (acc << 6) | static_cast<unsigned>(p - kBase64);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((acc >> bits) & 0xff);
    }
  }
  return out;
}

Result<std::string> digest(const FunctionCall& call, const EVP_MD* md) {
  if (call.args.empty()) return func_error(call, "requires an argument");
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned len = 0;
  if (EVP_Digest(call.args.data(), call.args.size(), out, &len, md, nullptr) != 1)
    return func_error(call, "digest failed");
  static constexpr char hex[] = "0123456789abcdef";
  std::string s;
  for (unsigned i = 0; i < len; ++i) {
    s += hex[out[i] >> 4];
    s += hex[out[i] & 15];
  }
  return s;
}

}  // namespace

void register_codec_functions(Engine& engine) {
  add_function(engine, "BASE64_ENCODE",
               {"Encode a string in base64.", "BASE64_ENCODE(string)",
                "Returns the base64 string. Example: ${BASE64_ENCODE(hello)} returns aGVsbG8=.",
                {{"string", "input string"}}, {"BASE64_DECODE"}},
               [](const FunctionCall& c) -> Result<std::string> { return base64_encode(c.args); });
  add_function(engine, "BASE64_DECODE",
               {"Decode a base64 string.", "BASE64_DECODE(string)", "Returns the plain text string.",
                {{"string", "input string"}}, {"BASE64_ENCODE"}},
               [](const FunctionCall& c) -> Result<std::string> { return base64_decode(c.args); });
  add_function(engine, "MD5",
               {"Computes an MD5 digest.", "MD5(data)", "Computes an MD5 digest, as 32 lower-case hex digits.",
                {{"data", "input string"}}, {"SHA1"}},
               [](const FunctionCall& c) { return digest(c, EVP_md5()); });
  add_function(engine, "SHA1",
               {"Computes a SHA1 digest.", "SHA1(data)",
                "Generate a SHA1 digest via the SHA1 algorithm. Example: Set(sha1hash=${SHA1(junky)}) sets "
                "sha1hash to 60fa5675b9303eb62f99a9cd47f9f5837d18f9a0.",
                {{"data", "input string"}}, {"MD5"}},
               [](const FunctionCall& c) { return digest(c, EVP_sha1()); });
}

}  // namespace telephony::funcs
