#pragma once
// Decoders for the reply bodies the tools read (zookeeper.jute: GetDataResponse,
// GetChildrenResponse, CreateResponse, Create2Response, SetDataResponse, ExistsResponse).
// The codec decodes requests for the server; these are the client side of the same records.
#include "protocol/jute/data_records.hpp"
#include "protocol/jute/jute_reader.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace paddock::tools {

struct get_data_reply {
  std::string data;
  bool data_is_null = false; // the server sent -1: the znode's data is null, not empty
  jute::stat stat;
};

std::optional<get_data_reply> decode_get_data(std::string_view body);
std::optional<std::vector<std::string>> decode_children(std::string_view body);
std::optional<std::string> decode_create(std::string_view body);    // the created path
std::optional<jute::stat> decode_stat_reply(std::string_view body); // exists, setData

} // namespace paddock::tools
