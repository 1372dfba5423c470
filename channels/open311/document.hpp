#pragma once
// A small document tree for Open311 responses, written either as JSON or as XML with the exact
// element names of GeoReport v2 (the JSON form is the mechanical "Spark" mapping of the XML: an
// array's items are elements named by the array's item name). Numbers keep their lexical form
// (std::to_chars, never locale-dependent), strings are escaped for JSON and XML (& < > " ').
//
//   Node list = Node::array("service");
//   list.push(Node::object().set("service_code", Node::string("pothole")).set("metadata", Node::boolean(true)));
//   to_json(list);              // [{"service_code":"pothole","metadata":true}]
//   to_xml("services", list);   // <?xml ...?><services><service><service_code>pothole</service_code>...
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace anliegen::channels::open311 {

class Node {
 public:
  enum class Type { null, boolean, number, string, object, array };

  static Node null() { return Node(Type::null); }
  static Node boolean(bool v) { return Node(Type::boolean, v ? "true" : "false"); }
  static Node number(double v);
  static Node integer(std::int64_t v);
  static Node string(std::string v) { return Node(Type::string, std::move(v)); }
  static Node optional_string(const std::optional<std::string>& v) { return v ? string(*v) : null(); }
  static Node object() { return Node(Type::object); }
  static Node array(std::string item_name) {
    Node n(Type::array);
    n.item_ = std::move(item_name);
    return n;
  }

  Node& set(std::string key, Node value);  // objects: appends a member (order is kept)
  Node& push(Node value);                  // arrays: appends an item

  Type type() const { return type_; }
  const std::string& scalar() const { return scalar_; }
  const std::vector<std::pair<std::string, Node>>& members() const { return members_; }
  const std::vector<Node>& items() const { return items_; }
  const std::string& item_name() const { return item_; }

 private:
  explicit Node(Type t, std::string scalar = {}) : type_(t), scalar_(std::move(scalar)) {}
  Type type_;
  std::string scalar_;
  std::vector<std::pair<std::string, Node>> members_;
  std::string item_;
  std::vector<Node> items_;
};

std::string to_json(const Node& node);
// An XML document (declaration + one root element named `root`).
std::string to_xml(std::string_view root, const Node& node);
// Text escaped for XML content and attribute values.
std::string xml_escape(std::string_view text);

}  // namespace anliegen::channels::open311
