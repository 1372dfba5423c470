#include "channels/open311/document.hpp"

#include <charconv>
#include <cmath>
#include <stdexcept>

namespace anliegen::channels::open311 {
namespace {

void json_string(std::string& out, std::string_view s) {
  out += '"';
  for (unsigned char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (c < 0x20) {
          static constexpr char kHex[] = "0123456789abcdef";
          out += "\\u00";
          out += kHex[c >> 4];
          out += kHex[c & 0xf];
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  out += '"';
}

void write_json(std::string& out, const Node& n) {
  switch (n.type()) {
    case Node::Type::null: out += "null"; break;
    case Node::Type::boolean:
    case Node::Type::number: out += n.scalar(); break;
    case Node::Type::string: json_string(out, n.scalar()); break;
    case Node::Type::object: {
      out += '{';
      bool first = true;
      for (const auto& [k, v] : n.members()) {
        if (!first) out += ',';
        first = false;
        json_string(out, k);
        out += ':';
        write_json(out, v);
      }
      out += '}';
      break;
    }
    case Node::Type::array: {
      out += '[';
      bool first = true;
      for (const auto& v : n.items()) {
        if (!first) out += ',';
        first = false;
        write_json(out, v);
      }
      out += ']';
      break;
    }
  }
}

void write_xml(std::string& out, std::string_view name, const Node& n) {
  if (n.type() == Node::Type::null || (n.type() == Node::Type::string && n.scalar().empty())) {
    out += '<';
    out += name;
    out += "/>";
    return;
  }
  out += '<';
  out += name;
  out += '>';
  switch (n.type()) {
    case Node::Type::object:
      for (const auto& [k, v] : n.members()) write_xml(out, k, v);
      break;
    case Node::Type::array:
      for (const auto& v : n.items()) write_xml(out, n.item_name(), v);
      break;
    default:
      out += xml_escape(n.scalar());
  }
  out += "</";
  out += name;
  out += '>';
}

}  // namespace

Node Node::number(double v) {
  if (!std::isfinite(v)) return null();
  char buf[64];
  const auto r = std::to_chars(buf, buf + sizeof buf, v);
  return Node(Type::number, std::string(buf, r.ptr));
}

Node Node::integer(std::int64_t v) { return Node(Type::number, std::to_string(v)); }

Node& Node::set(std::string key, Node value) {
  if (type_ != Type::object) throw std::logic_error("Node::set on a non-object");
  members_.emplace_back(std::move(key), std::move(value));
  return *this;
}

Node& Node::push(Node value) {
  if (type_ != Type::array) throw std::logic_error("Node::push on a non-array");
  items_.push_back(std::move(value));
  return *this;
}

std::string to_json(const Node& node) {
  std::string out;
  write_json(out, node);
  return out;
}

std::string to_xml(std::string_view root, const Node& node) {
  std::string out = "<?xml version=\"1.0\" encoding=\"utf-8\"?>";
  write_xml(out, root, node);
  return out;
}

std::string xml_escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      default:
        // Control characters other than tab/newline/CR are not allowed in XML 1.0.
        if (static_cast<unsigned char>(c) < 0x20 && c != '\t' && c != '\n' && c != '\r') {
          out += ' ';
        } else {
          out += c;
        }
    }
  }
  return out;
}

}  // namespace anliegen::channels::open311
