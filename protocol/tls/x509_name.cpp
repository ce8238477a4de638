#include "protocol/tls/x509_name.hpp"

#include <cstdio>
#include <memory>
#include <openssl/asn1.h>
#include <openssl/objects.h>
#include <vector>

namespace paddock::tls {

namespace {

// The keywords Java's X500Principal.getName() (RFC 2253) writes; other types go as OIDs.
const char* java_keyword(int nid) {
  switch (nid) {
  case NID_commonName: return "CN";
  case NID_countryName: return "C";
  case NID_localityName: return "L";
  case NID_stateOrProvinceName: return "ST";
  case NID_organizationName: return "O";
  case NID_organizationalUnitName: return "OU";
  case NID_streetAddress: return "STREET";
  case NID_domainComponent: return "DC";
  case NID_userId: return "UID";
  default: return nullptr;
  }
}

std::string escape_value(const std::string& v) {
  std::string out;
  for (size_t i = 0; i < v.size(); ++i) {
    const char c = v[i];
    const bool special = c == ',' || c == '+' || c == '"' || c == '\\' || c == '<' || c == '>' ||
                         c == ';' || (i == 0 && (c == '#' || c == ' ')) ||
                         (i + 1 == v.size() && c == ' ');
    if (special) out += '\\';
    out += c;
  }
  return out;
}

// i2d of the value with its own ASN.1 tag (an ASN1_STRING carries its type).
int der_with_tag(const ASN1_STRING* value, unsigned char** out) {
  std::unique_ptr<ASN1_TYPE, decltype(&ASN1_TYPE_free)> t(ASN1_TYPE_new(), ASN1_TYPE_free);
  ASN1_STRING* copy = ASN1_STRING_dup(value);
  ASN1_TYPE_set(t.get(), ASN1_STRING_type(value), copy);
  return i2d_ASN1_TYPE(t.get(), out);
}

std::string hex_der(const ASN1_STRING* value) {
  unsigned char* der = nullptr;
  const int len = der_with_tag(value, &der);
  std::string out = "#";
  char buf[3];
  for (int i = 0; i < len; ++i) {
    std::snprintf(buf, sizeof buf, "%02x", der[i]);
    out += buf;
  }
  OPENSSL_free(der);
  return out;
}

} // namespace

std::string rfc2253_name(const X509_NAME* name) {
  std::string out;
  const int count = X509_NAME_entry_count(name);
  int previous_set = -1;
  // RFC 2253 writes the RDNs in reverse of their order in the certificate.
  for (int i = count - 1; i >= 0; --i) {
    const X509_NAME_ENTRY* entry = X509_NAME_get_entry(name, i);
    const int set = X509_NAME_ENTRY_set(entry);
    if (!out.empty()) out += set == previous_set ? '+' : ',';
    previous_set = set;
    const ASN1_OBJECT* type = X509_NAME_ENTRY_get_object(entry);
    const ASN1_STRING* value = X509_NAME_ENTRY_get_data(entry);
    if (const char* keyword = java_keyword(OBJ_obj2nid(type))) {
      out += keyword;
      out += '=';
      unsigned char* utf8 = nullptr;
      const int len = ASN1_STRING_to_UTF8(&utf8, value);
      if (len >= 0) {
        out += escape_value(std::string(reinterpret_cast<char*>(utf8), static_cast<size_t>(len)));
        OPENSSL_free(utf8);
      }
    } else {
      char oid[128];
      OBJ_obj2txt(oid, sizeof oid, type, 1);
      out += oid;
      out += '=';
      out += hex_der(value);
    }
  }
  return out;
}

} // namespace paddock::tls
