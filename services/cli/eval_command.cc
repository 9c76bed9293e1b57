#include "cli/eval_command.h"

#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>

#include "model/rules.h"
#include "model/tagger_registry.h"
#include "oulad/eval.h"
#include "oulad/oulad.h"
#include "store/sqlite_event_store.h"

namespace polku::cli {

std::string CommandFlags::Get(const std::string& name,
                              const std::string& def) const {
  auto it = flags.find(name);
  return it == flags.end() ? def : it->second;
}

CommandFlags ParseCommandFlags(int argc, char** argv) {
  CommandFlags out;
  for (int i = 0; i < argc; ++i) {
    std::string a = argv[i];
    if (a.rfind("--", 0) != 0 || a.size() == 2) {
      out.positional.push_back(a);
      continue;
    }
    size_t eq = a.find('=');
    std::string name =
        a.substr(2, eq == std::string::npos ? std::string::npos : eq - 2);
    for (char& c : name) {
      if (c == '-') c = '_';
    }
    if (eq != std::string::npos) {
      out.flags[name] = a.substr(eq + 1);
    } else if (i + 1 < argc && std::string(argv[i + 1]).rfind("--", 0) != 0) {
      out.flags[name] = argv[++i];
    } else {
      out.flags[name] = "true";
    }
  }
  return out;
}

std::string OuladDataDir(const CommandFlags& flags) {
  if (flags.Has("data")) return flags.Get("data", "");
  if (const char* shared = std::getenv("POLKU_SHARED_DIR");
      shared != nullptr && *shared != '\0') {
    return std::string(shared) + "/datasets/oulad";
  }
  return "../shared/datasets/oulad";
}

namespace {

constexpr char kEvalUsage[] =
    R"(Usage: polku eval oulad [flags]

Replays OULAD presentations in time order, in-process (no server), and at
each learner-day asks Polku for the top 10; the target is the set of VLE
sites the learner opens the next day for the first time. Reports hit@10,
NDCG@10, catalogue coverage and the mode mix, next to two baselines scored
on the same learner-days: popularity and recent repeat.

  --presentations=LIST  comma-separated, e.g. GGG_2014J,AAA_2014J (default)
  --max-learner-days=N  stop each presentation after N scored learner-days
  --json=FILE           also write the figures as JSON
  --data=DIR            the OULAD *.csv.zst files
                        (default $POLKU_SHARED_DIR/datasets/oulad or
                        ../shared/datasets/oulad)
  --rules=FILE          tagging rules (default deploy/config/rules.yaml)
  --k=N                 list length, 1..50 (default 10)
)";

double Seconds(std::chrono::steady_clock::time_point since) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - since)
      .count();
}

}  // namespace

int EvalCommand(int argc, char** argv) {
  CommandFlags flags = ParseCommandFlags(argc, argv);
  if (flags.Has("help") ||
      (!flags.positional.empty() && flags.positional[0] == "help")) {
    std::cout << kEvalUsage;
    return 0;
  }
  if (flags.positional.size() != 1 || flags.positional[0] != "oulad") {
    std::cerr << "polku eval: the only evaluation is 'oulad'\n" << kEvalUsage;
    return 2;
  }
  const auto started = std::chrono::steady_clock::now();
  oulad::EvalOptions options;
  options.k = static_cast<size_t>(std::atoi(flags.Get("k", "10").c_str()));
  if (options.k < 1 || options.k > options.engine.max_k) {
    std::cerr << "polku eval oulad: --k: must be between 1 and "
              << options.engine.max_k << "\n";
    return 2;
  }
  options.max_learner_days =
      std::atoll(flags.Get("max_learner_days", "0").c_str());
  if (options.max_learner_days < 0) {
    std::cerr << "polku eval oulad: --max-learner-days: must be positive\n";
    return 2;
  }
  std::vector<oulad::PresentationCode> codes;
  const std::string list =
      flags.Get("presentations", kDefaultEvalPresentations);
  for (size_t start = 0; start <= list.size();) {
    size_t comma = list.find(',', start);
    if (comma == std::string::npos) comma = list.size();
    if (comma > start) {
      auto code =
          oulad::ParsePresentationCode(list.substr(start, comma - start));
      if (!code.ok()) {
        std::cerr << "polku eval oulad: --presentations: "
                  << code.status().message() << "\n";
        return 2;
      }
      codes.push_back(*code);
    }
    start = comma + 1;
  }
  if (codes.empty()) {
    std::cerr << "polku eval oulad: --presentations: none given\n";
    return 2;
  }
  auto rules =
      model::RuleSet::Load(flags.Get("rules", "deploy/config/rules.yaml"));
  if (!rules.ok()) {
    std::cerr << "polku eval oulad: " << rules.status().message() << "\n";
    return 2;
  }
  model::TaggerRegistry taggers(*rules);
  const std::string data = OuladDataDir(flags);

  std::cerr << "polku eval oulad: loading";
  for (const oulad::PresentationCode& code : codes) {
    std::cerr << " " << code.Name();
  }
  std::cerr << " from " << data << "\n";
  // One pass over each file for all of them.
  auto loaded = oulad::LoadPresentations(data, codes);
  if (!loaded.ok()) {
    std::cerr << "polku eval oulad: " << loaded.status().message() << "\n";
    const absl::StatusCode code = loaded.status().code();
    return code == absl::StatusCode::kNotFound ||
                   code == absl::StatusCode::kInvalidArgument
               ? 2
               : 1;
  }
  std::vector<oulad::PresentationEval> evals;
  for (size_t i = 0; i < codes.size(); ++i) {
    const oulad::PresentationCode& code = codes[i];
    const oulad::Presentation* p = &(*loaded)[i];
    std::error_code ec;
    const std::filesystem::path dir =
        std::filesystem::temp_directory_path(ec) /
        ("polku-eval-" + std::to_string(::getpid()) + "-" + code.Name());
    std::filesystem::remove_all(dir, ec);
    std::filesystem::create_directories(dir, ec);
    if (ec) {
      std::cerr << "polku eval oulad: " << dir << ": " << ec.message() << "\n";
      return 1;
    }
    store::SqliteEventStore::Options store_options;
    store_options.durability = store::SqliteEventStore::Durability::kNormal;
    auto store = store::SqliteEventStore::Open((dir / "eval.db").string(),
                                               store_options);
    if (!store.ok()) {
      std::cerr << "polku eval oulad: " << store.status().message() << "\n";
      std::filesystem::remove_all(dir, ec);
      return 1;
    }
    std::cerr << "polku eval oulad: replaying " << code.Name() << " ("
              << p->vle.size() << " click rows, " << p->students.size()
              << " students)\n";
    auto eval = oulad::EvaluatePresentation(*p, store->get(), store->get(),
                                            &taggers, options);
    (*store)->Close().IgnoreError();
    store->reset();
    std::filesystem::remove_all(dir, ec);
    if (!eval.ok()) {
      std::cerr << "polku eval oulad: " << code.Name() << ": "
                << eval.status().message() << "\n";
      return 1;
    }
    evals.push_back(std::move(*eval));
  }
  const double wall = Seconds(started);
  std::cout << oulad::EvalTable(evals, wall);
  std::cout << "hit@10 and NDCG@10: sites opened the next day for the first "
               "time; any-next@10: any site opened the next day; coverage: "
               "distinct activities recommended / activities of the "
               "presentation; S/SD/B: structured, self-directed, blended.\n";
  const std::string json_file = flags.Get("json", "");
  if (!json_file.empty()) {
    std::ofstream out(json_file);
    out << oulad::EvalJson(evals, wall) << "\n";
    if (!out) {
      std::cerr << "polku eval oulad: --json: cannot write " << json_file
                << "\n";
      return 1;
    }
  }
  return 0;
}

}  // namespace polku::cli
