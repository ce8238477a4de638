#pragma once
// A small JSON value for the AdminServer's answers, printed the way ZooKeeper's Jackson
// DefaultPrettyPrinter prints them: objects one member a line ("key" : value, two spaces a
// level), arrays on one line ("[ 1, 2 ]", "[ ]"), an object inside an array opening on the
// array's line ("[ {"). Members keep the order they were added in, as ZooKeeper's
// LinkedHashMap-backed responses do. Pure: no I/O.
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace paddock::admin {

class json {
public:
  using array = std::vector<json>;
  using object = std::vector<std::pair<std::string, json>>;

  json() = default; // null
  json(std::nullptr_t) {}
  json(bool v) : value_(v) {}
  json(int v) : value_(static_cast<int64_t>(v)) {}
  json(int64_t v) : value_(v) {}
  json(uint64_t v) : value_(static_cast<int64_t>(v)) {}
  json(double v) : value_(v) {}
  json(const char* v) : value_(std::string(v)) {}
  json(std::string v) : value_(std::move(v)) {}
  json(std::string_view v) : value_(std::string(v)) {}
  json(array v) : value_(std::make_shared<array>(std::move(v))) {}
  json(object v) : value_(std::make_shared<object>(std::move(v))) {}

  static json empty_object() { return json(object{}); }
  static json empty_array() { return json(array{}); }

  // Appends a member (this must be an object) and returns *this, for chaining.
  json& add(std::string key, json value);
  // Appends an element (this must be an array).
  json& push(json value);

  bool is_null() const { return std::holds_alternative<std::monostate>(value_); }
  bool is_object() const { return std::holds_alternative<std::shared_ptr<object>>(value_); }
  // The member named `key` of an object, or nullptr.
  const json* find(std::string_view key) const;
  const object& members() const { return *std::get<std::shared_ptr<object>>(value_); }

  // As Jackson's pretty printer writes it, without a trailing newline.
  std::string pretty() const;

private:
  void write(std::string& out, int level) const;
  std::variant<std::monostate, bool, int64_t, double, std::string, std::shared_ptr<array>,
               std::shared_ptr<object>>
      value_;
};

// A string as a JSON string literal, quotes included.
std::string json_quote(std::string_view s);

// A double as Java's Double.toString writes it for ordinary magnitudes ("2.125", "0.0").
std::string java_double(double v);

} // namespace paddock::admin
