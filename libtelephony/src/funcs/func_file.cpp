// Files on the host: FILE (read/write by bytes or lines), FILE_COUNT_LINE, FILE_FORMAT, STAT.
//
// These work on the whole file in memory (up to kMaxFileBytes) instead of Asterisk's in-place
// block shuffling: the results are the same for the offsets and lengths Asterisk documents, and
// the code stays small. They run on the calling thread, as in Asterisk: meant for small files.
// AMI reaches them only for users allowed to (see ActionSettings::allowed_functions).
#include <sys/stat.h>

#include <cctype>
#include <climits>
#include <cstdio>
#include <fstream>
#include <sstream>

#include "funcs/function_support.hpp"
#include "telephony/dialplan/args.hpp"

namespace telephony::funcs {

namespace {

constexpr std::size_t kMaxFileBytes = 16 * 1024 * 1024;
constexpr long long kAll = LLONG_MAX;

enum class LineFormat { Unknown, Unix, Dos, Mac };

std::string_view terminator(LineFormat f) {
  switch (f) {
    case LineFormat::Unix: return "\n";
    case LineFormat::Dos: return "\r\n";
    case LineFormat::Mac: return "\r";
    case LineFormat::Unknown: break;
  }
  return "";
}

LineFormat format_letter(std::string_view s) {
  if (s.empty()) return LineFormat::Unknown;
  switch (std::tolower(static_cast<unsigned char>(s[0]))) {
    case 'u': return LineFormat::Unix;
    case 'd': return LineFormat::Dos;
    case 'm': return LineFormat::Mac;
    default: return LineFormat::Unknown;
  }
}

Result<std::string> slurp(const FunctionCall& call, const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return func_error(call, "cannot open '" + path + "' for reading");
  std::ostringstream ss;
  ss << in.rdbuf();
  std::string data = ss.str();
  if (data.size() > kMaxFileBytes) return func_error(call, "'" + path + "' is larger than 16 MiB");
  return data;
}

Result<void> spill(const FunctionCall& call, const std::string& path, std::string_view data, bool append = false) {
  std::ofstream out(path, std::ios::binary | (append ? std::ios::app : std::ios::trunc));
  if (!out) return func_error(call, "cannot open '" + path + "' for writing");
  out.write(data.data(), static_cast<std::streamsize>(data.size()));
  if (!out) return func_error(call, "short write to '" + path + "'");
  return {};
}

// The newline style of the first line end: "\r\n" DOS, "\r" Mac, "\n" Unix.
LineFormat detect_format(std::string_view data) {
  auto at = data.find_first_of("\r\n");
  if (at == std::string_view::npos) return LineFormat::Unknown;
  if (data[at] == '\n') return LineFormat::Unix;
  return at + 1 < data.size() && data[at + 1] == '\n' ? LineFormat::Dos : LineFormat::Mac;
}

// The file as lines, each with its terminator; a last line without one is kept as it is.
std::vector<std::string_view> split_lines(std::string_view data, LineFormat f) {
  std::vector<std::string_view> lines;
  const auto term = terminator(f);
  std::size_t from = 0;
  while (from < data.size()) {
    auto at = data.find(term, from);
    std::size_t end = at == std::string_view::npos ? data.size() : at + term.size();
    lines.push_back(data.substr(from, end - from));
    from = end;
  }
  return lines;
}

long long number(const std::vector<std::string>& a, std::size_t i, long long fallback) {
  if (i >= a.size() || trim(a[i]).empty()) return fallback;
  return std::strtoll(a[i].c_str(), nullptr, 10);
}

struct Span {
  std::size_t begin = 0, end = 0;
};

// Offset/length (either counted in bytes or lines) over `count` units -> [begin, end). A
// negative offset counts from the end; a negative length drops units from the end.
Result<Span> span_of(const FunctionCall& call, long long offset, long long length, std::size_t count) {
  const auto n = static_cast<long long>(count);
  long long begin = offset < 0 ? n + offset : offset;
  if (begin < 0) return func_error(call, "offset " + std::to_string(offset) + " refers to before the beginning of the file");
  if (begin > n) begin = n;
  long long end = length == kAll ? n : length < 0 ? n + length : begin + length;
  if (end > n) end = n;
  if (end < begin) end = begin;
  return Span{static_cast<std::size_t>(begin), static_cast<std::size_t>(end)};
}

struct FileArgs {
  std::string path;
  long long offset = 0;
  long long length = kAll;
  std::string options;
  LineFormat format = LineFormat::Unknown;
  bool lines() const { return options.find('l') != std::string::npos; }
  bool has(char o) const { return options.find(o) != std::string::npos; }
};

Result<FileArgs> file_args(const FunctionCall& call) {
  auto a = dialplan::split_args(call.args);
  if (a.empty() || a[0].empty()) return func_error(call, "missing file name");
  FileArgs f;
  f.path = a[0];
  f.offset = number(a, 1, 0);
  f.length = number(a, 2, kAll);
  f.options = a.size() > 3 ? a[3] : "";
  f.format = a.size() > 4 ? format_letter(a[4]) : LineFormat::Unknown;
  return f;
}

Result<std::string> file_read(const FunctionCall& call) {
  auto f = file_args(call);
  if (!f) return Unexpected<Error>{f.error()};
  auto data = slurp(call, f->path);
  if (!data) return Unexpected<Error>{data.error()};
  if (!f->lines()) {
    auto s = span_of(call, f->offset, f->length, data->size());
    if (!s) return Unexpected<Error>{s.error()};
    return data->substr(s->begin, s->end - s->begin);
  }
  LineFormat fmt = f->format != LineFormat::Unknown ? f->format : detect_format(*data);
  if (fmt == LineFormat::Unknown) return func_error(call, "'" + f->path + "' is not a line-based file");
  auto lines = split_lines(*data, fmt);
  auto s = span_of(call, f->offset, f->length, lines.size());
  if (!s) return Unexpected<Error>{s.error()};
  std::string out;
  for (std::size_t i = s->begin; i < s->end; ++i) out += lines[i];
  return out;
}

Result<void> file_write(const FunctionCall& call, std::string_view value) {
  auto f = file_args(call);
  if (!f) return Unexpected<Error>{f.error()};
  if (!f->lines()) {
    if (f->has('a')) return spill(call, f->path, value, true);
    if (f->offset == 0 && f->length == kAll) return spill(call, f->path, value);
    auto data = slurp(call, f->path);
    if (!data) return Unexpected<Error>{data.error()};
    long long begin = f->offset < 0 ? static_cast<long long>(data->size()) + f->offset : f->offset;
    if (begin < 0) return func_error(call, "offset " + std::to_string(f->offset) + " is before the beginning of the file");
    if (static_cast<std::size_t>(begin) > data->size()) data->resize(static_cast<std::size_t>(begin), '\0');
    const auto b = static_cast<std::size_t>(begin);
    std::size_t end;
    if (f->length == kAll) {
      end = data->size();  // write and truncate after the value
    } else if (f->length < 0) {
      const long long e = static_cast<long long>(data->size()) + f->length;
      if (e < begin) return func_error(call, "length " + std::to_string(f->length) + " exceeds the file; nothing written");
      end = static_cast<std::size_t>(e);
    } else {
      end = std::min(data->size(), b + static_cast<std::size_t>(f->length));
    }
    data->replace(b, end - b, value);
    return spill(call, f->path, *data);
  }
  // Line mode: the value replaces the chosen lines, followed by a line terminator unless 'd'.
  std::string data;
  if (auto existing = slurp(call, f->path)) data = std::move(*existing);
  else if (!f->has('a') && !(f->offset == 0 && f->length == kAll)) return Unexpected<Error>{existing.error()};
  LineFormat fmt = f->format != LineFormat::Unknown ? f->format : detect_format(data);
  if (fmt == LineFormat::Unknown) {
    if (!data.empty()) return func_error(call, "file '" + f->path + "' is not in line format");
    fmt = LineFormat::Unix;  // a new or empty file
  }
  std::string line(value);
  if (!f->has('d')) line += terminator(fmt);
  if (f->has('a')) return spill(call, f->path, line, true);
  if (f->offset == 0 && f->length == kAll) return spill(call, f->path, line);
  if (f->offset < 0 && f->length < f->offset) return func_error(call, "length cannot specify a position prior to the offset");
  auto lines = split_lines(data, fmt);
  auto s = span_of(call, f->offset, f->length, lines.size());
  if (!s) return Unexpected<Error>{s.error()};
  std::string out;
  for (std::size_t i = 0; i < s->begin; ++i) out += lines[i];
  out += line;
  for (std::size_t i = s->end; i < lines.size(); ++i) out += lines[i];
  return spill(call, f->path, out);
}

Result<std::string> count_lines(const FunctionCall& call) {
  auto a = dialplan::split_args(call.args);
  if (a.empty() || a[0].empty()) return func_error(call, "missing file name");
  auto data = slurp(call, a[0]);
  if (!data) return std::string("-1");
  LineFormat fmt = a.size() > 1 ? format_letter(a[1]) : LineFormat::Unknown;
  if (fmt == LineFormat::Unknown) fmt = detect_format(*data);
  if (fmt == LineFormat::Unknown) return std::string(data->empty() ? "0" : "1");
  // Lines are counted by their terminators, as Asterisk does.
  std::size_t n = 0;
  const auto term = terminator(fmt);
  for (auto at = data->find(term); at != std::string::npos; at = data->find(term, at + term.size())) ++n;
  return std::to_string(n);
}

Result<std::string> stat_read(const FunctionCall& call) {
  auto comma = call.args.find(',');
  if (comma == std::string_view::npos || comma == 0) return func_error(call, "usage STAT(<flag>,<filename>)");
  const char flag = call.args[0];
  std::string path(call.args.substr(comma + 1));
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return std::string("0");
  char buf[32];
  switch (flag) {
    case 'e': return std::string("1");
    case 's': return std::to_string(static_cast<unsigned long long>(st.st_size));
    case 'f': return std::string(S_ISREG(st.st_mode) ? "1" : "0");
    case 'd': return std::string(S_ISDIR(st.st_mode) ? "1" : "0");
    case 'M': return std::to_string(static_cast<long long>(st.st_mtime));
    case 'A': return std::to_string(static_cast<long long>(st.st_atime));
    case 'C': return std::to_string(static_cast<long long>(st.st_ctime));
    case 'm':
      std::snprintf(buf, sizeof buf, "%o", static_cast<unsigned>(st.st_mode));
      return std::string(buf);
    default: return func_error(call, std::string("unknown flag '") + flag + "' (d e f m s A C M)");
  }
}

}  // namespace

void register_file_functions(Engine& engine) {
  add_function(
      engine, "FILE",
      {"Read or write text file.", "FILE(filename[,offset[,length[,options[,format]]]])",
       "Reads or writes a text file, by bytes or (option l) by lines. Reading: offset (negative: counted back from the "
       "end) and length (negative: that many dropped from the end) choose the part returned; lines keep their "
       "terminators. Writing: without offset and length the file is replaced by the value; with them that part is "
       "replaced (the file grows or shrinks); a length omitted means 'to the end'. Option a appends. In line mode "
       "the value is followed by a line terminator (DOS, Mac or Unix, from the format argument or detected from the "
       "file) unless option d is given, so Set(FILE(/tmp/foo.txt,0,1,l)=bar) replaces the first line. Examples: "
       "${FILE(/tmp/test.txt,10,10)}, ${FILE(/tmp/test.txt,-3,,l)}, Set(FILE(/tmp/foo.txt,,,al)=bar). Files are "
       "handled whole in memory, up to 16 MiB.",
       {{"filename", "path of the file"},
        {"offset", "bytes or lines to skip; negative counts from the end"},
        {"length", "bytes or lines to take; negative drops from the end"},
        {"options", "l: line mode; a: append (write); d: no newline after the value (line-mode write)"},
        {"format", "line terminators: u Unix, d DOS, m Macintosh (default: detected)"}},
       {"FILE_COUNT_LINE", "FILE_FORMAT", "STAT"}},
      file_read, file_write);
  add_function(engine, "FILE_COUNT_LINE",
               {"Obtains the number of lines of a text file.", "FILE_COUNT_LINE(filename[,format])",
                "Returns the number of line terminators in the file (u Unix, d DOS, m Macintosh; detected when not "
                "given), or -1 when the file cannot be read.",
                {{"filename", "path of the file"}, {"format", "u, d or m"}}, {"FILE", "FILE_FORMAT"}},
               count_lines);
  add_function(engine, "FILE_FORMAT",
               {"Return the newline format of a text file.", "FILE_FORMAT(filename)",
                "Returns the line terminator type of the first line end: 'u' Unix \"\\n\", 'd' DOS \"\\r\\n\", 'm' "
                "Macintosh \"\\r\", 'x' cannot be determined.",
                {{"filename", "path of the file"}}, {"FILE", "FILE_COUNT_LINE"}},
               [](const FunctionCall& c) -> Result<std::string> {
                 auto data = slurp(c, std::string(trim(c.args)));
                 if (!data) return Unexpected<Error>{data.error()};
                 switch (detect_format(*data)) {
                   case LineFormat::Unix: return std::string("u");
                   case LineFormat::Dos: return std::string("d");
                   case LineFormat::Mac: return std::string("m");
                   case LineFormat::Unknown: break;
                 }
                 return std::string("x");
               });
  add_function(engine, "STAT",
               {"Does a check on the specified file.", "STAT(flag,filename)",
                "Flag is one of: d (1 if a directory), e (1 if it exists), f (1 if a regular file), m (the mode, "
                "octal), s (size in bytes), A (epoch of last access), C (epoch of last inode change), M (epoch of last "
                "modification). A file that does not exist gives 0 for every flag.",
                {{"flag", "d, e, f, m, s, A, C or M"}, {"filename", "path of the file"}}, {"FILE"}},
               stat_read);
}

}  // namespace telephony::funcs
