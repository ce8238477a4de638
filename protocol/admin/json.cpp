#include "protocol/admin/json.hpp"

#include <charconv>
#include <cmath>
#include <cstdio>

namespace paddock::admin {

json& json::add(std::string key, json value) {
  std::get<std::shared_ptr<object>>(value_)->emplace_back(std::move(key), std::move(value));
  return *this;
}

json& json::push(json value) {
  std::get<std::shared_ptr<array>>(value_)->push_back(std::move(value));
  return *this;
}

const json* json::find(std::string_view key) const {
  if (!is_object()) return nullptr;
  for (const auto& [k, v] : members())
    if (k == key) return &v;
  return nullptr;
}

std::string json_quote(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    switch (c) {
    case '"': out += "\\\""; break;
    case '\\': out += "\\\\"; break;
    case '\n': out += "\\n"; break;
    case '\r': out += "\\r"; break;
    case '\t': out += "\\t"; break;
    case '\b': out += "\\b"; break;
    case '\f': out += "\\f"; break;
    default:
      if (static_cast<unsigned char>(c) < 0x20) {
        char buf[8];
        std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned>(c));
        out += buf;
      } else {
        out += c;
      }
    }
  }
  return out + "\"";
}

std::string java_double(double v) {
  if (!std::isfinite(v))
    return std::isnan(v) ? "\"NaN\"" : (v > 0 ? "\"Infinity\"" : "\"-Infinity\"");
  char buf[64];
  auto res = std::to_chars(buf, buf + sizeof buf, v); // shortest round-trip form
  std::string out(buf, res.ptr);
  // Java always shows a fraction: 0.0, 3.0.
  if (out.find_first_of(".e") == std::string::npos) out += ".0";
  return out;
}

void json::write(std::string& out, int level) const {
  auto indent = [&](int n) { out.append(static_cast<std::size_t>(n) * 2, ' '); };
  std::visit(
      [&](const auto& v) {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, std::monostate>) {
          out += "null";
        } else if constexpr (std::is_same_v<T, bool>) {
          out += v ? "true" : "false";
        } else if constexpr (std::is_same_v<T, int64_t>) {
          out += std::to_string(v);
        } else if constexpr (std::is_same_v<T, double>) {
          out += java_double(v);
        } else if constexpr (std::is_same_v<T, std::string>) {
          out += json_quote(v);
        } else if constexpr (std::is_same_v<T, std::shared_ptr<array>>) {
          // Jackson's arrays stay on one line and do not deepen the indentation.
          if (v->empty()) {
            out += "[ ]";
            return;
          }
          out += "[ ";
          for (std::size_t i = 0; i < v->size(); ++i) {
            if (i > 0) out += ", ";
            (*v)[i].write(out, level);
          }
          out += " ]";
        } else {
          if (v->empty()) {
            out += "{ }";
            return;
          }
          out += "{\n";
          for (std::size_t i = 0; i < v->size(); ++i) {
            indent(level + 1);
            out += json_quote((*v)[i].first);
            out += " : ";
            (*v)[i].second.write(out, level + 1);
            out += i + 1 < v->size() ? ",\n" : "\n";
          }
          indent(level);
          out += "}";
        }
      },
      value_);
}

std::string json::pretty() const {
  std::string out;
  write(out, 0);
  return out;
}

} // namespace paddock::admin
