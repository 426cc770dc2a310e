#include "testkit/testkit.hpp"

#include "telephony/media/file_format.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <random>

namespace telephony::testkit {

TempDir::TempDir(std::string_view prefix) {
  static std::atomic<int> counter{0};
  std::random_device rd;
  auto base = std::filesystem::temp_directory_path();
  for (;;) {
    auto p = base / (std::string(prefix) + "-" + std::to_string(::getpid()) + "-" +
                     std::to_string(counter++) + "-" + std::to_string(rd() % 100000));
    if (std::filesystem::create_directory(p)) {
      path_ = p;
      break;
    }
  }
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

void write_file(const std::filesystem::path& p, std::string_view text) {
  std::filesystem::create_directories(p.parent_path());
  std::ofstream out(p, std::ios::binary);
  out << text;
}

std::string read_file(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

int free_tcp_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = 0;
  ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
  socklen_t len = sizeof a;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  int port = ntohs(a.sin_port);
  ::close(fd);
  return port;
}

namespace {

std::string debian_package_of(std::string_view command) {
  if (command == "sipp") return "sip-tester";
  if (command == "sox" || command == "soxi") return "sox";
  if (command == "node") return "nodejs";
  if (command == "baresip") return "baresip-core";
  if (command == "linphonec") return "linphone-cli";
  if (command == "fail2ban-regex") return "fail2ban";
  return std::string(command);
}

bool on_path(std::string_view command) {
  const char* path = std::getenv("PATH");
  std::string_view dirs = path ? path : "/usr/bin:/bin";
  while (!dirs.empty()) {
    auto colon = dirs.find(':');
    std::filesystem::path dir(std::string(dirs.substr(0, colon)));
    if (::access((dir / std::string(command)).c_str(), X_OK) == 0) return true;
    dirs = colon == std::string_view::npos ? std::string_view() : dirs.substr(colon + 1);
  }
  return false;
}

}  // namespace

std::string missing_commands(std::initializer_list<std::string_view> commands) {
  std::string out;
  for (auto c : commands)
    if (!on_path(c))
      out += (out.empty() ? "" : ", ") + std::string("command '") + std::string(c) + "' (Debian package " +
             debian_package_of(c) + ")";
  return out.empty() ? out : "this test needs " + out + " on PATH; run 'make deps'";
}

std::filesystem::path prompt_file(std::string_view name, const std::filesystem::path& sounds_dir) {
  if (auto p = media::find_sound_file(sounds_dir, "en", name, media::Format::slin())) return *p;
  return sounds_dir / "en" / (std::string(name) + ".wav");
}

std::string missing_prompts(std::initializer_list<std::string_view> prompts, const std::filesystem::path& sounds_dir,
                            std::string_view language) {
  // The engine's own lookup (a voice folder such as en_US_f_Allison serves `en`), so a test runs
  // wherever telephonyd would find the prompt.
  std::string out;
  for (auto p : prompts)
    if (!media::find_sound_file(sounds_dir, language, p, media::Format::slin()))
      out += (out.empty() ? "" : "; ") + media::sound_not_found_message(sounds_dir, language, p);
  return out.empty() ? out
                     : "this test plays prompts that are missing: " + out +
                           " (Debian package asterisk-core-sounds-en; run 'make deps')";
}

}  // namespace telephony::testkit
