#pragma once
// Prometheus metrics in the text exposition format (version 0.0.4). Debian bookworm ships no C++
// Prometheus client, so this is a deliberately small registry: counters and histograms keyed by
// label values, plus gauges read at scrape time through callbacks.
#include <array>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <vector>

namespace anliegen::gateway {

class Metrics {
 public:
  // Counts one finished HTTP request and its duration.
  void observe_request(const std::string& route, const std::string& method, int status, double seconds);
  // Counts a webhook refused because its signature was missing or wrong.
  void count_signature_failure(const std::string& channel);
  // Counts anything else by name and one label, e.g. ("webhook_deliveries_total", "channel", "whatsapp").
  void count(const std::string& name, const std::string& label, const std::string& value, std::int64_t by = 1);
  // Shows a counter at 0 until it counts, so that alerts on increase() see its first event after a start.
  void declare(const std::string& name, const std::string& label, const std::string& value);
  void declare_signature_failures(const std::string& channel);

  // A gauge whose value is read when /metrics is scraped.
  void gauge(std::string name, std::string help, std::function<double()> read);

  std::string render() const;

 private:
  static constexpr std::array<double, 11> kBuckets = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                                      0.1,   0.25,   0.5,   1.0,  2.5};
  struct Histogram {
    std::array<std::uint64_t, kBuckets.size()> buckets{};
    std::uint64_t count = 0;
    double sum = 0;
  };
  struct Gauge {
    std::string name;
    std::string help;
    std::function<double()> read;
  };
  mutable std::mutex mutex_;
  std::map<std::array<std::string, 3>, std::uint64_t> requests_;  // route, method, status
  std::map<std::string, Histogram> durations_;                      // by route
  std::map<std::string, std::uint64_t> signature_failures_;         // by channel
  std::map<std::array<std::string, 3>, std::int64_t> counters_;      // name, label, value
  std::vector<Gauge> gauges_;
};

// Escapes a label value for the exposition format.
std::string escape_label(const std::string& value);

}  // namespace anliegen::gateway
