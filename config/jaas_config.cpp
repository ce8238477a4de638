#include "config/jaas_config.hpp"

#include <cctype>
#include <optional>

namespace paddock::config {

namespace {

// The tokens of a JAAS file: words (a class name, a flag, an option name, a bare value),
// quoted strings, and the punctuation { } ; =.
struct token {
  enum class kind { word, quoted, punct, end } type;
  std::string text;
  int line;
};

class lexer {
public:
  explicit lexer(std::string_view text) : text_(text) {}

  // The next token, or an error message for an unterminated string or comment.
  std::variant<token, jaas_error> next() {
    skip_space_and_comments();
    if (error_) return *error_;
    if (pos_ >= text_.size()) return token{token::kind::end, "", line_};
    const char c = text_[pos_];
    if (c == '{' || c == '}' || c == ';' || c == '=') {
      ++pos_;
      return token{token::kind::punct, std::string(1, c), line_};
    }
    if (c == '"' || c == '\'') {
      const int start_line = line_;
      std::string value;
      ++pos_;
      while (pos_ < text_.size() && text_[pos_] != c) {
        if (text_[pos_] == '\n') ++line_;
        if (text_[pos_] == '\\' && pos_ + 1 < text_.size()) ++pos_; // \" and \\ as in Java
        value += text_[pos_++];
      }
      if (pos_ >= text_.size())
        return jaas_error{start_line, "a quoted value is not closed before the end of the file"};
      ++pos_;
      return token{token::kind::quoted, std::move(value), start_line};
    }
    std::string word;
    while (pos_ < text_.size() && !std::isspace(static_cast<unsigned char>(text_[pos_])) &&
           std::string_view("{};=\"'").find(text_[pos_]) == std::string_view::npos &&
           !starts_comment())
      word += text_[pos_++];
    return token{token::kind::word, std::move(word), line_};
  }

private:
  bool starts_comment() const {
    if (text_[pos_] == '#') return true;
    return text_[pos_] == '/' && pos_ + 1 < text_.size() &&
           (text_[pos_ + 1] == '/' || text_[pos_ + 1] == '*');
  }

  void skip_space_and_comments() {
    while (pos_ < text_.size()) {
      const char c = text_[pos_];
      if (c == '\n') {
        ++line_;
        ++pos_;
      } else if (std::isspace(static_cast<unsigned char>(c))) {
        ++pos_;
      } else if (c == '#' || (c == '/' && pos_ + 1 < text_.size() && text_[pos_ + 1] == '/')) {
        while (pos_ < text_.size() && text_[pos_] != '\n')
          ++pos_;
      } else if (c == '/' && pos_ + 1 < text_.size() && text_[pos_ + 1] == '*') {
        const int start_line = line_;
        pos_ += 2;
        while (pos_ + 1 < text_.size() && !(text_[pos_] == '*' && text_[pos_ + 1] == '/')) {
          if (text_[pos_] == '\n') ++line_;
          ++pos_;
        }
        if (pos_ + 1 >= text_.size()) {
          error_ = jaas_error{start_line, "a /* comment is not closed"};
          return;
        }
        pos_ += 2;
      } else {
        return;
      }
    }
  }

  std::string_view text_;
  size_t pos_ = 0;
  int line_ = 1;
  std::optional<jaas_error> error_;
};

bool is_flag(std::string_view w) {
  auto lower = std::string(w);
  for (auto& ch : lower)
    ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  return lower == "required" || lower == "requisite" || lower == "sufficient" ||
         lower == "optional";
}

bool is_punct(const token& t, char c) {
  return t.type == token::kind::punct && t.text[0] == c;
}

std::string describe(const token& t) {
  if (t.type == token::kind::end) return "the end of the file";
  if (t.type == token::kind::quoted) return "\"" + t.text + "\"";
  return "'" + t.text + "'";
}

} // namespace

const jaas_section* jaas_config::find(std::string_view name) const {
  for (const auto& s : sections)
    if (s.name == name) return &s;
  return nullptr;
}

std::variant<jaas_config, jaas_error> parse_jaas(std::string_view text) {
  lexer lex(text);
  jaas_config out;
  token t{};
  // Advances to the next token; false (with `err` set) on a lexical error.
  jaas_error err;
  auto advance = [&]() {
    auto n = lex.next();
    if (auto* e = std::get_if<jaas_error>(&n)) {
      err = *e;
      return false;
    }
    t = std::get<token>(std::move(n));
    return true;
  };
  auto expected = [&](const std::string& what) {
    return jaas_error{t.line, "expected " + what + ", found " + describe(t)};
  };
  if (!advance()) return err;
  while (t.type != token::kind::end) {
    if (t.type != token::kind::word) return expected("a section name");
    jaas_section section{t.text, {}};
    for (const auto& s : out.sections)
      if (s.name == section.name)
        return jaas_error{t.line, "section '" + section.name + "' appears twice"};
    if (!advance()) return err;
    if (!is_punct(t, '{')) return expected("'{' after the section name " + section.name);
    if (!advance()) return err;
    while (!is_punct(t, '}')) {
      if (t.type != token::kind::word) return expected("a login module class name or '}'");
      jaas_entry entry;
      entry.login_module = t.text;
      if (!advance()) return err;
      if (t.type != token::kind::word || !is_flag(t.text))
        return expected("the flag of " + entry.login_module +
                        " (required, requisite, sufficient or optional)");
      entry.flag = t.text;
      if (!advance()) return err;
      while (!is_punct(t, ';')) {
        if (t.type != token::kind::word) return expected("an option name=value or ';'");
        const std::string name = t.text;
        const int name_line = t.line;
        if (!advance()) return err;
        if (!is_punct(t, '=')) return expected("'=' after the option " + name);
        if (!advance()) return err;
        if (t.type != token::kind::word && t.type != token::kind::quoted)
          return expected("the value of the option " + name);
        if (!entry.options.emplace(name, t.text).second)
          return jaas_error{name_line,
                            "option '" + name + "' appears twice in " + entry.login_module};
        if (!advance()) return err;
      }
      section.entries.push_back(std::move(entry));
      if (!advance()) return err;
    }
    if (!advance()) return err;
    if (!is_punct(t, ';')) return expected("';' after the '}' of section " + section.name);
    out.sections.push_back(std::move(section));
    if (!advance()) return err;
  }
  return out;
}

sasl_server_section server_section_of(const jaas_section& section) {
  sasl_server_section out;
  constexpr std::string_view user_prefix = "user_";
  for (const auto& entry : section.entries) {
    for (const auto& [name, value] : entry.options)
      if (name.size() > user_prefix.size() && name.compare(0, user_prefix.size(), user_prefix) == 0)
        out.users[name.substr(user_prefix.size())] = value;
    if (entry.login_module.ends_with("Krb5LoginModule")) {
      if (auto it = entry.options.find("keyTab"); it != entry.options.end())
        out.keytab = it->second;
      if (auto it = entry.options.find("principal"); it != entry.options.end())
        out.principal = it->second;
    }
  }
  return out;
}

} // namespace paddock::config

namespace paddock::config {

std::optional<std::string> jaas_path_from_jvm_flags(std::string_view flags) {
  constexpr std::string_view prefix = "-Djava.security.auth.login.config=";
  std::optional<std::string> found;
  size_t pos = 0;
  while (pos < flags.size()) {
    while (pos < flags.size() && std::isspace(static_cast<unsigned char>(flags[pos])))
      ++pos;
    size_t end = pos;
    std::string word;
    // A flag may be quoted as a shell would have it in the variable: "-D...=/a b/jaas.conf".
    while (end < flags.size() && !std::isspace(static_cast<unsigned char>(flags[end]))) {
      if (flags[end] == '"' || flags[end] == '\'') {
        const char q = flags[end++];
        while (end < flags.size() && flags[end] != q)
          word += flags[end++];
        if (end < flags.size()) ++end;
      } else {
        word += flags[end++];
      }
    }
    if (word.size() > prefix.size() && word.compare(0, prefix.size(), prefix) == 0)
      found = word.substr(prefix.size());
    pos = end;
  }
  return found;
}

} // namespace paddock::config
