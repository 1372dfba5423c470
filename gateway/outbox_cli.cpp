#include "gateway/outbox_cli.hpp"

#include <iostream>
#include <map>

#include "domain/enums.hpp"
#include "domain/time.hpp"
#include "gateway/cli_options.hpp"
#include "storage/outbox.hpp"

namespace anliegen::gateway {
namespace {

constexpr const char* kOutboxUsage = R"(Usage:
  anliegen outbox resend --since TIME [--channel CHANNEL] [--yes]
      replies that failed since TIME (e.g. 2026-11-30T08:00:00+01:00), per channel; with --yes they are
      queued again and the running gateway sends them within seconds. Not sent again: automatic
      answers, templates, replies whose delivery is unknown (interrupted while sending), erased ones.
)";

int outbox_usage(const std::string& message) {
  std::cerr << "anliegen: " << message << "\n\n" << kOutboxUsage;
  return 2;
}

int resend_command(const std::vector<std::string>& args) {
  std::map<std::string, std::string> options;
  std::string error;
  if (!read_options(args, {{"--since", true}, {"--channel", true}, {"--yes", false}}, options, error)) {
    return outbox_usage(error);
  }
  if (!options.contains("--since")) return outbox_usage("--since TIME is required (when the failures began)");
  const auto since = domain::parse_iso8601(options["--since"]);
  if (!since) return outbox_usage("--since needs a date-time with offset, e.g. 2026-11-30T08:00:00+01:00");
  const auto channel = options["--channel"];
  if (!channel.empty() && !domain::parse_channel(channel)) return outbox_usage("unknown channel '" + channel + "'");

  auto db = open_database();
  if (!options.contains("--yes")) {
    std::vector<std::pair<std::string, std::int64_t>> due;
    db->read([&](storage::Tx& tx) { due = storage::count_resendable(tx, *since, channel); });
    std::cout << "channel\tfailed\n";
    for (const auto& [ch, count] : due) std::cout << ch << '\t' << count << '\n';
    std::cerr << "nothing changed: add --yes to queue them again\n";
    return 0;
  }
  std::int64_t queued = 0;
  db->transact([&](storage::Tx& tx) { queued = storage::resend_failed(tx, *since, channel); });
  std::cout << "queued " << queued << " failed messages again\n";
  return 0;
}

}  // namespace

int outbox_command(const std::vector<std::string>& args) {
  if (args.size() >= 2 && args[1] == "resend") return resend_command(args);
  return outbox_usage("expected 'outbox resend'");
}

}  // namespace anliegen::gateway
