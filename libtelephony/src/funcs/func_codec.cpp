// Encodings, digests and ciphers: BASE64_ENCODE, BASE64_DECODE, MD5, SHA1, AES_ENCRYPT and
// AES_DECRYPT (OpenSSL).
#include <openssl/evp.h>

#include <memory>

#include "funcs/function_support.hpp"
#include "telephony/dialplan/args.hpp"

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


// AES_ENCRYPT/AES_DECRYPT(key,data): AES-128 in ECB mode over 16-byte blocks, the last block
// zero-padded (no PKCS padding), base64 outside — Asterisk's format, so values encrypted by either
// decrypt with the other. The decrypted text ends at its first NUL (the padding).
Result<std::string> aes_read(const FunctionCall& call, bool encrypt) {
  auto a = dialplan::split_args(call.args);
  if (a.size() < 2 || a[0].empty() || a[1].empty()) return func_error(call, "usage " + to_upper(call.name) + "(<key>,<data>)");
  if (a[0].size() != 16) return func_error(call, "<key> must be exactly 16 characters");
  std::string in = encrypt ? a[1] : base64_decode(a[1]);
  if (in.empty()) return std::string();
  in.resize((in.size() + 15) / 16 * 16, '\0');
  std::unique_ptr<EVP_CIPHER_CTX, void (*)(EVP_CIPHER_CTX*)> ctx(EVP_CIPHER_CTX_new(), EVP_CIPHER_CTX_free);
  if (!ctx || EVP_CipherInit_ex(ctx.get(), EVP_aes_128_ecb(), nullptr,
                                reinterpret_cast<const unsigned char*>(a[0].data()), nullptr, encrypt ? 1 : 0) != 1)
    return func_error(call, "cipher setup failed");
  EVP_CIPHER_CTX_set_padding(ctx.get(), 0);
  std::string out(in.size() + 16, '\0');
  int n = 0, tail = 0;
  if (EVP_CipherUpdate(ctx.get(), reinterpret_cast<unsigned char*>(out.data()), &n,
                       reinterpret_cast<const unsigned char*>(in.data()), static_cast<int>(in.size())) != 1 ||
      EVP_CipherFinal_ex(ctx.get(), reinterpret_cast<unsigned char*>(out.data()) + n, &tail) != 1)
    return func_error(call, "cipher failed");
  out.resize(static_cast<std::size_t>(n + tail));
  if (encrypt) return base64_encode(out);
  return out.substr(0, out.find('\0'));
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
  add_function(engine, "AES_ENCRYPT",
               {"Encrypt a string with AES given a 16 character key.", "AES_ENCRYPT(key,string)",
                "Returns an AES encrypted string encoded in base64 (AES-128, ECB, the last block zero-padded: the "
                "same bytes Asterisk produces).",
                {{"key", "AES key, exactly 16 characters"}, {"string", "input string"}}, {"AES_DECRYPT", "BASE64_ENCODE"}},
               [](const FunctionCall& c) { return aes_read(c, true); });
  add_function(engine, "AES_DECRYPT",
               {"Decrypt a string encoded in base64 with AES given a 16 character key.", "AES_DECRYPT(key,string)",
                "Returns the plain text string: string is base64-decoded, then decrypted; the result ends at the "
                "first NUL byte (the padding).",
                {{"key", "AES key, exactly 16 characters"}, {"string", "base64 input"}}, {"AES_ENCRYPT", "BASE64_DECODE"}},
               [](const FunctionCall& c) { return aes_read(c, false); });
}

}  // namespace telephony::funcs
