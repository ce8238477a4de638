#pragma once
// A txn as Protobuf bytes (protocol/proto/txn.proto): the body of a txn log record, and of
// ZAB proposals later. decode(encode(t)) == t for every txn apply accepts.
#include "store/tree/txn.hpp"

#include <string>
#include <string_view>

namespace paddock::store {

void encode_txn(const txn& t, std::string& out); // replaces out's contents
bool decode_txn(std::string_view bytes, txn& out);

} // namespace paddock::store
