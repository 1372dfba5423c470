#include "gateway/metrics.hpp"

#include <cstdio>
#include <sstream>

namespace anliegen::gateway {

std::string escape_label(const std::string& value) {
  std::string out;
  for (char c : value) {
    if (c == '\\' || c == '"') {
      out += '\\';
      out += c;
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

void Metrics::observe_request(const std::string& route, const std::string& method, int status, double seconds) {
  std::lock_guard lock(mutex_);
  ++requests_[{route, method, std::to_string(status)}];
  auto& h = durations_[route];
  for (std::size_t i = 0; i < kBuckets.size(); ++i) {
    if (seconds <= kBuckets[i]) ++h.buckets[i];
  }
  ++h.count;
  h.sum += seconds;
}

void Metrics::count_signature_failure(const std::string& channel) {
  std::lock_guard lock(mutex_);
  ++signature_failures_[channel];
}

void Metrics::count(const std::string& name, const std::string& label, const std::string& value, std::int64_t by) {
  std::lock_guard lock(mutex_);
  counters_[{name, label, value}] += by;
}

void Metrics::declare(const std::string& name, const std::string& label, const std::string& value) {
  std::lock_guard lock(mutex_);
  counters_.try_emplace({name, label, value}, 0);
}

void Metrics::declare_signature_failures(const std::string& channel) {
  std::lock_guard lock(mutex_);
  signature_failures_.try_emplace(channel, 0);
}

void Metrics::gauge(std::string name, std::string help, std::function<double()> read) {
  std::lock_guard lock(mutex_);
  gauges_.push_back({std::move(name), std::move(help), std::move(read)});
}

std::string Metrics::render() const {
  std::ostringstream out;
  std::vector<Gauge> gauges;
  {
    std::lock_guard lock(mutex_);
    out << "# HELP anliegen_http_requests_total HTTP requests by route pattern, method and status.\n"
        << "# TYPE anliegen_http_requests_total counter\n";
    for (const auto& [k, n] : requests_) {
      out << "anliegen_http_requests_total{route=\"" << escape_label(k[0]) << "\",method=\"" << k[1]
          << "\",status=\"" << k[2] << "\"} " << n << '\n';
    }
    out << "# HELP anliegen_http_request_duration_seconds Time from a complete request to its response.\n"
        << "# TYPE anliegen_http_request_duration_seconds histogram\n";
    for (const auto& [route, h] : durations_) {
      const auto r = escape_label(route);
      for (std::size_t i = 0; i < kBuckets.size(); ++i) {
        out << "anliegen_http_request_duration_seconds_bucket{route=\"" << r << "\",le=\"" << kBuckets[i] << "\"} "
            << h.buckets[i] << '\n';
      }
      out << "anliegen_http_request_duration_seconds_bucket{route=\"" << r << "\",le=\"+Inf\"} " << h.count << '\n'
          << "anliegen_http_request_duration_seconds_sum{route=\"" << r << "\"} " << h.sum << '\n'
          << "anliegen_http_request_duration_seconds_count{route=\"" << r << "\"} " << h.count << '\n';
    }
    out << "# HELP anliegen_webhook_signature_failures_total Webhooks refused for a missing or wrong signature.\n"
        << "# TYPE anliegen_webhook_signature_failures_total counter\n";
    for (const auto& [channel, n] : signature_failures_) {
      out << "anliegen_webhook_signature_failures_total{channel=\"" << escape_label(channel) << "\"} " << n << '\n';
    }
    std::string last;
    for (const auto& [k, n] : counters_) {
      if (k[0] != last) {
        out << "# TYPE anliegen_" << k[0] << " counter\n";
        last = k[0];
      }
      out << "anliegen_" << k[0] << '{' << k[1] << "=\"" << escape_label(k[2]) << "\"} " << n << '\n';
    }
    gauges = gauges_;
  }
  for (const auto& g : gauges) {
    double value = 0;
    try {
      value = g.read();
    } catch (...) {
      continue;  // e.g. the database is down: leave the gauge out rather than fail the scrape
    }
    out << "# HELP anliegen_" << g.name << ' ' << g.help << '\n'
        << "# TYPE anliegen_" << g.name << " gauge\n"
        << "anliegen_" << g.name << ' ' << value << '\n';
  }
  return out.str();
}

}  // namespace anliegen::gateway
