#pragma once
// A txn as Protobuf bytes (protocol/proto/txn.proto): the body of a txn log record, and of
// ZAB proposals later. decode(encode(t)) == t for every txn apply accepts.
#include "store/tree/txn.hpp"

#include <string>
#include <string_view>

namespace paddock::store {

void encode_txn(const txn& t, std::string& out); // replaces out's contents
bool decode_txn(std::string_view bytes, txn& out);

// A txn's bytes (encode_txn's, as a learner forwards them) stamped with the leader's zxid 0
// and clock: Protobuf keeps the last value of a scalar field, so two fields appended give
// the bytes of the same txn with zxid = 0 and time_ms = `time_ms` without decoding and
// encoding it again: decode_txn(stamp_txn(b, ms)) is decode_txn(b) with those two set.
std::string stamp_txn(std::string bytes, int64_t time_ms);

} // namespace paddock::store
