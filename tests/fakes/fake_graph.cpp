// FakeGraph: the WhatsApp Cloud API endpoints the gateway calls, answering like Meta does.
#include "fake_graph.hpp"

#include <boost/json.hpp>

#include "channels/crypto.hpp"

namespace anliegen::testing {
namespace {

namespace json = boost::json;

FakeResponse graph_error(int status, int code, const std::string& message) {
  json::object err{{"message", message}, {"type", "OAuthException"}, {"code", code}, {"fbtrace_id", "FAKE-TRACE"}};
  return FakeResponse{status, "application/json", json::serialize(json::object{{"error", std::move(err)}}), {}};
}

std::vector<std::string> segments(const std::string& path) {
  std::vector<std::string> out;
  std::size_t i = 0;
  while (i < path.size()) {
    if (path[i] == '/') {
      ++i;
      continue;
    }
    const auto j = path.find('/', i);
    out.push_back(path.substr(i, j == std::string::npos ? std::string::npos : j - i));
    if (j == std::string::npos) break;
    i = j;
  }
  return out;
}

}  // namespace

FakeGraph::FakeGraph(FakePlatform& platform, FakeGraphOptions options)
    : base_url_(platform.base_url()), options_(std::move(options)) {}

std::string FakeGraph::graph_url() const { return base_url_ + options_.version_prefix; }

std::string FakeGraph::sha256_base64(const std::string& bytes) {
  return channels::to_base64(channels::sha256(bytes));
}

void FakeGraph::add_media(const std::string& id, std::string bytes, std::string mime_type) {
  std::lock_guard lock(mutex_);
  auto& m = media_[id];
  m.bytes = std::move(bytes);
  m.mime_type = std::move(mime_type);
}

void FakeGraph::expire_media_url(const std::string& id, int n) {
  std::lock_guard lock(mutex_);
  media_[id].expired = n;
}

void FakeGraph::truncate_next_download(const std::string& id, int n) {
  std::lock_guard lock(mutex_);
  media_[id].truncated = n;
}

void FakeGraph::set_media_url(const std::string& id, std::string url) {
  std::lock_guard lock(mutex_);
  media_[id].url_override = std::move(url);
}

void FakeGraph::set_media_sha256(const std::string& id, std::string sha256_base64) {
  std::lock_guard lock(mutex_);
  media_[id].sha_override = std::move(sha256_base64);
}

void FakeGraph::close_window(const std::string& recipient, int n) {
  std::lock_guard lock(mutex_);
  closed_windows_[recipient] = n;
}

std::vector<RecordedRequest> FakeGraph::sent_messages() const {
  std::lock_guard lock(mutex_);
  return sent_;
}

std::vector<std::string> FakeGraph::issued_wamids() const {
  std::lock_guard lock(mutex_);
  return wamids_;
}

std::vector<RecordedRequest> FakeGraph::call_actions() const {
  std::lock_guard lock(mutex_);
  return calls_;
}

bool FakeGraph::authorized(const RecordedRequest& r) const {
  return r.header("authorization") == "Bearer " + options_.access_token;
}

FakeResponse FakeGraph::handle_graph(const RecordedRequest& r) {
  if (!authorized(r)) return graph_error(401, 190, "Invalid OAuth access token - Cannot parse access token");
  const auto parts = segments(r.path.substr(options_.version_prefix.size()));
  std::lock_guard lock(mutex_);
  if (r.method == "POST" && parts.size() == 2 && parts[1] == "messages") {
    json::value body;
    try {
      body = json::parse(r.body);
    } catch (const std::exception&) {
      return graph_error(400, 100, "(#100) The parameter messaging_product is required.");
    }
    const auto* obj = body.if_object();
    if (!obj || !obj->contains("messaging_product")) {
      return graph_error(400, 100, "(#100) The parameter messaging_product is required.");
    }
    if (const auto* tpl = obj->if_contains("template"); tpl && tpl->is_object()) {
      const auto* name = tpl->as_object().if_contains("name");
      if (name && name->is_string() && std::string_view(name->as_string()).starts_with("missing_")) {
        return graph_error(404, 132001, "(#132001) Template name does not exist in the translation");
      }
    }
    std::string to;
    if (const auto* t = obj->if_contains("to"); t && t->is_string()) to = std::string(t->as_string());
    if (const auto* t = obj->if_contains("recipient"); to.empty() && t && t->is_string()) {
      to = std::string(t->as_string());
    }
    const auto* type = obj->if_contains("type");
    if (auto closed = closed_windows_.find(to);
        closed != closed_windows_.end() && closed->second > 0 && type && type->is_string() && *type == "text") {
      --closed->second;
      return graph_error(400, 131047,
                         "Re-engagement message: more than 24 hours have passed since the recipient last replied");
    }
    sent_.push_back(r);
    if (const auto* status = obj->if_contains("status"); status && status->is_string() && *status == "read") {
      return FakeResponse{200, "application/json", R"({"success":true})", {}};
    }
    const auto wamid = "wamid.FAKE-" + std::to_string(next_wamid_++);
    wamids_.push_back(wamid);
    json::object res{{"messaging_product", "whatsapp"},
                     {"contacts", json::array{json::object{{"input", to}, {"wa_id", to}}}},
                     {"messages", json::array{json::object{{"id", wamid}, {"message_status", "accepted"}}}}};
    return FakeResponse{200, "application/json", json::serialize(res), {}};
  }
  if (r.method == "POST" && parts.size() == 2 && parts[1] == "calls") {
    calls_.push_back(r);
    return FakeResponse{200, "application/json", R"({"success":true})", {}};
  }
  if (r.method == "GET" && parts.size() == 1) {
    auto it = media_.find(parts[0]);
    if (it == media_.end() || it->second.mime_type.empty()) {
      return graph_error(404, 100, "Unsupported get request. Object with ID '" + parts[0] + "' does not exist");
    }
    const auto& m = it->second;
    json::object res{{"messaging_product", "whatsapp"},
                     {"url", m.url_override.empty() ? base_url_ + "/media-download/" + parts[0] : m.url_override},
                     {"mime_type", m.mime_type},
                     {"sha256", m.sha_override.empty() ? sha256_base64(m.bytes) : m.sha_override},
                     {"file_size", std::to_string(m.bytes.size())},
                     {"id", parts[0]}};
    return FakeResponse{200, "application/json", json::serialize(res), {}};
  }
  return graph_error(400, 100, "Unsupported request on the fake Graph API: " + r.method + " " + r.path);
}

FakeResponse FakeGraph::handle_download(const RecordedRequest& r) {
  if (!authorized(r)) return FakeResponse{401, "text/html", "<html>Unauthorized</html>", {}};
  if (r.header("user-agent").empty()) return FakeResponse{403, "text/html", "<html>Forbidden</html>", {}};
  const auto parts = segments(r.path);
  std::lock_guard lock(mutex_);
  auto it = parts.size() == 2 ? media_.find(parts[1]) : media_.end();
  if (it == media_.end() || it->second.mime_type.empty()) {
    return FakeResponse{404, "text/html", "<html>Not found</html>", {}};
  }
  auto& m = it->second;
  if (m.expired > 0) {
    --m.expired;
    return FakeResponse{404, "text/html", "<html>URL signature expired</html>", {}};
  }
  std::string bytes = m.bytes;
  if (m.truncated > 0) {
    --m.truncated;
    bytes.resize(bytes.size() / 2);
  }
  return FakeResponse{200, m.mime_type, std::move(bytes), {}};
}

std::shared_ptr<FakeGraph> make_fake_graph(FakePlatform& platform, FakeGraphOptions options) {
  auto graph = std::make_shared<FakeGraph>(platform, std::move(options));
  const auto prefix = graph->options_.version_prefix + "/";
  platform.on("*", prefix, [graph](const RecordedRequest& r) { return graph->handle_graph(r); });
  platform.on("GET", "/media-download/", [graph](const RecordedRequest& r) { return graph->handle_download(r); });
  return graph;
}

}  // namespace anliegen::testing
