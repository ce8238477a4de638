#include "tools/cli/stat_printer.hpp"

#include <cstdio>
#include <ctime>
#include <string>

namespace paddock::cli {

namespace {

std::string hex(int64_t v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(v));
  return buf;
}

// java.util.Date.toString() style, as zkCli prints ctime/mtime.
std::string date(int64_t millis) {
  std::time_t secs = static_cast<std::time_t>(millis / 1000);
  std::tm tm{};
  localtime_r(&secs, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, "%a %b %d %H:%M:%S %Z %Y", &tm);
  return buf;
}

} // namespace

void print_stat(std::ostream& out, const jute::stat& s) {
  out << "cZxid = " << hex(s.czxid) << '\n'
      << "ctime = " << date(s.ctime) << '\n'
      << "mZxid = " << hex(s.mzxid) << '\n'
      << "mtime = " << date(s.mtime) << '\n'
      << "pZxid = " << hex(s.pzxid) << '\n'
      << "cversion = " << s.cversion << '\n'
      << "dataVersion = " << s.version << '\n'
      << "aclVersion = " << s.aversion << '\n'
      << "ephemeralOwner = " << hex(s.ephemeral_owner) << '\n'
      << "dataLength = " << s.data_length << '\n'
      << "numChildren = " << s.num_children << '\n';
}

} // namespace paddock::cli
