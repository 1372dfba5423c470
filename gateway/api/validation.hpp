#pragma once
// Reading untrusted JSON request bodies field by field. Every problem is collected as a FieldError
// naming the field ("citizen.email"), so that the API answers 422 with all of them at once and writes
// nothing.
#include <boost/json/object.hpp>

#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gateway/http/responses.hpp"

namespace anliegen::gateway {

class FieldReader {
 public:
  FieldReader(const boost::json::object& object, std::string prefix = "");

  // Reports every key not in `allowed` as "unknown field".
  void only(std::initializer_list<std::string_view> allowed);
  // A string of at most `max_chars` code points; `required` reports absence; null counts as absent.
  std::optional<std::string> text(std::string_view key, std::size_t max_chars, bool required = false);
  std::optional<double> number(std::string_view key, double min, double max, bool required = false);
  std::optional<std::vector<std::string>> string_list(std::string_view key, std::size_t max_items,
                                                      std::size_t max_chars);
  // A nested object, or nullptr when absent/null (a wrong type is reported).
  const boost::json::object* object(std::string_view key);

  void fail(std::string_view key, std::string message);
  std::string path(std::string_view key) const;
  std::vector<FieldError>& errors() { return *errors_; }
  bool ok() const { return errors_->empty(); }
  // A reader for a nested object that reports into the same error list.
  FieldReader nested(const boost::json::object& child, std::string_view key);

 private:
  FieldReader(const boost::json::object& object, std::string prefix, std::vector<FieldError>* shared);
  const boost::json::object& object_;
  std::string prefix_;
  std::vector<FieldError> own_;
  std::vector<FieldError>* errors_;
};

}  // namespace anliegen::gateway
