#pragma once
// Decoders for the reply bodies the tools read (zookeeper.jute: GetDataResponse,
// GetChildrenResponse, GetChildren2Response, CreateResponse, Create2Response, SetDataResponse,
// ExistsResponse, GetACLResponse, GetEphemeralsResponse, GetAllChildrenNumberResponse,
// WhoAmIResponse).
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
std::optional<jute::stat> decode_stat_reply(std::string_view body); // exists, setData, setACL

struct children_with_stat {
  std::vector<std::string> children;
  jute::stat stat;
};
std::optional<children_with_stat> decode_children2(std::string_view body);

struct acl_reply {
  jute::acl_list acls;
  jute::stat stat;
};
std::optional<acl_reply> decode_get_acl(std::string_view body);

// getEphemerals answers a vector<ustring>, as getChildren does.
inline std::optional<std::vector<std::string>> decode_ephemerals(std::string_view body) {
  return decode_children(body);
}
std::optional<int32_t> decode_all_children_number(std::string_view body);

struct client_info { // whoAmI's ClientInfo
  std::string auth_scheme;
  std::string user;
};
std::optional<std::vector<client_info>> decode_who_am_i(std::string_view body);

} // namespace paddock::tools
