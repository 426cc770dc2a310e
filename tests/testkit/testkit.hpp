// Test-only helpers shared by unit tests: temporary directories, files, free loopback ports.
// Never installed; not part of the library API.
#pragma once

#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <string>
#include <string_view>

namespace telephony::testkit {

// A fresh directory under /tmp removed (recursively) when the object goes away.
class TempDir {
 public:
  explicit TempDir(std::string_view prefix = "telephony-test");
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path operator/(std::string_view rel) const { return path_ / rel; }

 private:
  std::filesystem::path path_;
};

void write_file(const std::filesystem::path& p, std::string_view text);
std::string read_file(const std::filesystem::path& p);

// A TCP port on 127.0.0.1 that was free a moment ago (bind to port 0, read it back, close).
int free_tcp_port();

// What a test needs from the machine. Each returns "" when everything is there, else one message
// naming what is missing and the Debian package that provides it (`make deps` installs them), so
// a test on an incomplete machine fails with that message instead of a puzzling mismatch:
//   TELEPHONY_REQUIRE(testkit::missing_commands({"sox", "soxi"}));
std::string missing_commands(std::initializer_list<std::string_view> commands);
// Prompts by name ("hello-world", "digits/1") that the engine would find for `language` under
// `sounds_dir` (telephonyd's default sounds directory), any format; the message names the paths
// tried.
inline const std::filesystem::path kDefaultSoundsDir = "/usr/share/asterisk/sounds";
std::string missing_prompts(std::initializer_list<std::string_view> prompts,
                            const std::filesystem::path& sounds_dir = kDefaultSoundsDir,
                            std::string_view language = "en");

// The file the engine plays for prompt `name` in English (sounds/en, or the voice folder that
// serves `en`); <sounds>/en/<name>.wav when there is none, so that using it fails naming that path.
std::filesystem::path prompt_file(std::string_view name, const std::filesystem::path& sounds_dir = kDefaultSoundsDir);

// Fails the current test (and skips its body when used in SetUp) with the message of a
// missing_*() check that found something missing.
#define TELEPHONY_REQUIRE(check)                                   \
  do {                                                             \
    if (auto telephony_missing_ = (check); !telephony_missing_.empty()) \
      FAIL() << telephony_missing_;                                \
  } while (0)

}  // namespace telephony::testkit
