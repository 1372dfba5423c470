#include "gateway/citizen_cli.hpp"

#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <optional>

#include "gateway/api/api_helpers.hpp"
#include "gateway/cli_options.hpp"
#include "gateway/reports/weekly.hpp"
#include "gateway/retention.hpp"
#include "gateway/settings.hpp"
#include "storage/citizens.hpp"

namespace anliegen::gateway {
namespace {

constexpr const char* kCitizenUsage = R"(Usage:
  anliegen citizen find TEXT                   citizens whose phone, e-mail or platform id is TEXT
  anliegen citizen export --id N [--out FILE]  everything stored about citizen N, as JSON
  anliegen citizen erase --id N --yes [--by NAME]
                                               erase citizen N's personal data; the Anliegen stay,
                                               without content, for the statistics
  anliegen citizen retention [--apply]         closed Anliegen past the retention period per channel
                                               (ANLIEGEN_RETENTION_DAYS[_<CHANNEL>]); --apply
                                               anonymises them now instead of within the hour
)";

int citizen_usage(const std::string& message) {
  std::cerr << "anliegen: " << message << "\n\n" << kCitizenUsage;
  return 2;
}

std::optional<std::int64_t> citizen_id(const std::map<std::string, std::string>& options) {
  const auto it = options.find("--id");
  if (it == options.end()) return std::nullopt;
  return parse_path_id(it->second);
}

int find_command(const std::vector<std::string>& args) {
  if (args.size() != 3 || args[2].empty()) return citizen_usage("expected 'citizen find TEXT'");
  std::vector<storage::CitizenMatch> found;
  open_database()->read([&](storage::Tx& tx) { found = storage::find_citizens(tx, args[2]); });
  std::cout << "id\tchannel\tplatform_id\tname\tphone\temail\tanliegen\terased\n";
  for (const auto& c : found) {
    std::cout << c.id << '\t' << c.channel << '\t' << c.external_id << '\t' << c.display_name << '\t' << c.phone << '\t'
              << c.email << '\t' << c.anliegen << '\t' << (c.erased ? "yes" : "no") << '\n';
  }
  return found.empty() ? 1 : 0;
}

int export_command(const std::vector<std::string>& args) {
  std::map<std::string, std::string> options;
  std::string error;
  if (!read_options(args, {{"--id", true}, {"--out", true}}, options, error)) return citizen_usage(error);
  const auto id = citizen_id(options);
  if (!id) return citizen_usage("--id needs a citizen id (see 'anliegen citizen find')");
  std::optional<std::string> document;
  open_database()->read([&](storage::Tx& tx) { document = storage::export_citizen(tx, *id); });
  if (!document) {
    std::cerr << "anliegen: no citizen with id " << *id << "\n";
    return 1;
  }
  if (!options.contains("--out")) {
    std::cout << *document << "\n" << std::flush;
    return 0;
  }
  const auto& path = options["--out"];
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << *document << "\n";
  out.close();
  if (!out) {
    std::cerr << "anliegen: cannot write " << path << "\n";
    return 1;
  }
  std::cerr << "wrote the data of citizen " << *id << " to " << path << "\n";
  return 0;
}

int erase_command(const std::vector<std::string>& args) {
  std::map<std::string, std::string> options;
  std::string error;
  if (!read_options(args, {{"--id", true}, {"--yes", false}, {"--by", true}}, options, error)) {
    return citizen_usage(error);
  }
  const auto id = citizen_id(options);
  if (!id) return citizen_usage("--id needs a citizen id (see 'anliegen citizen find')");
  if (!options.contains("--yes")) return citizen_usage("erasing cannot be undone: confirm with --yes");
  const auto actor = options.contains("--by") ? "cli:" + options["--by"] : std::string("cli");
  std::optional<storage::ErasureSummary> erased;
  int reports = 0;
  open_database()->transact([&](storage::Tx& tx) {
    erased = storage::erase_citizen(tx, *id, actor);
    if (erased) reports = erase_invitation_titles(tx, erased->invitations);
  });
  if (!erased) {
    std::cerr << "anliegen: no citizen with id " << *id << "\n";
    return 1;
  }
  std::cout << "erased citizen " << *id << ": " << erased->anliegen << " Anliegen kept without content, "
            << erased->messages << " message texts, " << erased->attachments << " attachments, " << erased->outbox
            << " outgoing messages, " << erased->inbox << " raw deliveries, " << reports
            << " stored weekly reports\n";
  return 0;
}

int retention_command(const std::vector<std::string>& args) {
  std::map<std::string, std::string> options;
  std::string error;
  if (!read_options(args, {{"--apply", false}}, options, error)) return citizen_usage(error);
  const auto settings = load_settings(process_environment());
  const storage::RetentionPolicy policy{settings.retention_days, settings.retention_channel_days};
  if (!policy.any()) {
    std::cerr << "no retention period is set (ANLIEGEN_RETENTION_DAYS, ANLIEGEN_RETENTION_DAYS_<CHANNEL>): "
                 "every Anliegen keeps its content\n";
    return 0;
  }
  auto db = open_database();
  if (!options.contains("--apply")) {
    std::vector<std::pair<std::string, std::int64_t>> due;
    db->read([&](storage::Tx& tx) { due = storage::count_expired(tx, policy); });
    std::cout << "channel\tdays\tdue\n";
    for (const auto& [channel, count] : due) std::cout << channel << '\t' << policy.days_for(channel) << '\t' << count << '\n';
    return 0;
  }
  std::int64_t anliegen = 0, citizens = 0;
  for (bool more = true; more;) {
    const auto run = anonymise_expired_batch(*db, policy);
    anliegen += run.content.anliegen;
    citizens += run.citizens;
    more = run.content.anliegen == kRetentionBatch;
  }
  std::cout << "anonymised " << anliegen << " Anliegen, erased " << citizens << " citizen records\n";
  return 0;
}

}  // namespace

int citizen_command(const std::vector<std::string>& args) {
  if (args.size() >= 2 && args[1] == "find") return find_command(args);
  if (args.size() >= 2 && args[1] == "export") return export_command(args);
  if (args.size() >= 2 && args[1] == "erase") return erase_command(args);
  if (args.size() >= 2 && args[1] == "retention") return retention_command(args);
  return citizen_usage("expected 'citizen find', 'citizen export', 'citizen erase' or 'citizen retention'");
}

}  // namespace anliegen::gateway
