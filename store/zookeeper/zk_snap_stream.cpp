#include "store/zookeeper/zk_snap_stream.hpp"

#include "store/zookeeper/gzip_stream.hpp"
#include "store/zookeeper/snappy_stream.hpp"

#include <algorithm>
#include <cctype>

namespace paddock::store::zookeeper {

namespace {

bool equals_ignoring_case(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

} // namespace

snap_stream snap_stream_of(std::string_view file_name) {
  const auto dot = file_name.rfind('.');
  if (dot == std::string_view::npos) return snap_stream::plain;
  const auto suffix = file_name.substr(dot + 1);
  if (equals_ignoring_case(suffix, "gz")) return snap_stream::gzip;
  if (equals_ignoring_case(suffix, "snappy")) return snap_stream::snappy;
  return snap_stream::plain;
}

const char* to_string(snap_stream s) {
  switch (s) {
  case snap_stream::plain: return "plain";
  case snap_stream::gzip: return "gzip";
  case snap_stream::snappy: return "snappy";
  }
  return "?";
}

bool open_snap_stream(snap_stream stream, std::string& bytes, std::string& error,
                      size_t max_output) {
  std::string out;
  std::string why;
  switch (stream) {
  case snap_stream::plain: return true;
  case snap_stream::gzip:
    if (gunzip(bytes, out, why, max_output)) break;
    error = "gzip: " + why;
    return false;
  case snap_stream::snappy:
    if (unsnappy_java(bytes, out, why, max_output)) break;
    error = "snappy: " + why;
    return false;
  }
  bytes = std::move(out);
  return true;
}

} // namespace paddock::store::zookeeper
