#include "oulad/eval.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <map>
#include <set>
#include <unordered_map>
#include <utility>

#include "common/clock.h"
#include "common/json_writer.h"
#include "common/status_macros.h"
#include "common/str_cat.h"
#include "ingest/ingestor.h"

namespace polku::oulad {
namespace {

using common::StrCat;

// Sites per (student, day): what the learner opened that day, and what
// they opened that day for the first time in the presentation.
struct DaySites {
  std::set<int64_t> all;
  std::set<int64_t> first;
};
using DayKey = std::pair<int64_t, int>;  // (student, day)

std::map<DayKey, DaySites> SitesByDay(const Presentation& p) {
  std::map<std::pair<int64_t, int64_t>, int> first;  // (student, site) -> day
  std::map<DayKey, DaySites> out;
  for (const VleRow& v : p.vle) {
    auto [it, inserted] =
        first.emplace(std::make_pair(v.student, v.site), v.date);
    if (!inserted) it->second = std::min(it->second, v.date);
    out[{v.student, v.date}].all.insert(v.site);
  }
  for (const auto& [key, day] : first) {
    out[{key.first, day}].first.insert(key.second);
  }
  return out;
}

std::vector<RankedItem> Plain(const std::vector<std::string>& ids) {
  std::vector<RankedItem> out;
  out.reserve(ids.size());
  for (const std::string& id : ids) out.push_back(RankedItem{id, false});
  return out;
}

}  // namespace

absl::StatusOr<PresentationEval> EvaluatePresentation(
    const Presentation& p, store::EventStore* events,
    store::LearningStore* learning, const model::TaggerRegistry* taggers,
    const EvalOptions& options) {
  const auto started = std::chrono::steady_clock::now();
  PresentationEval out;
  out.code = p.code;
  out.polku = SystemFigures("polku", options.k);
  out.popularity = SystemFigures("popularity", options.k);
  out.recent = SystemFigures("recent-repeat", options.k);

  common::ManualClock clock(p.start_ms);
  engine::Engine engine(learning, &clock, options.engine);
  ingest::IngestOptions ingest_options;
  ingest_options.profile = options.engine.recommender.profile;
  ingest::Ingestor ingestor(events, taggers, &clock, ingest_options);

  learning::CatalogueFile catalogue = BuildCatalogue(p);
  out.activities = catalogue.activities.size();
  out.paths = catalogue.paths.size();
  std::unordered_map<std::string, model::Mode> modes;
  for (const learning::Activity& a : catalogue.activities) {
    modes[a.id] = a.mode;
  }
  POLKU_RETURN_IF_ERROR(engine.LoadCatalogue(options.tenant, catalogue));

  const std::map<DayKey, DaySites> sites_by_day = SitesByDay(p);
  auto site_ids = [&](const std::set<int64_t>& sites) {
    IdSet ids;
    for (int64_t s : sites) ids.insert(SiteId(p.code, s));
    return ids;
  };
  TouchHistory history;
  const EventPlan plan(p);
  const std::vector<EventRef>& refs = plan.events();
  const int k = static_cast<int>(options.k);
  int64_t scored = 0;

  for (size_t begin = 0; begin < refs.size() && !out.truncated;) {
    const int day = refs[begin].day;
    size_t end = begin;
    while (end < refs.size() && refs[end].day == day) ++end;
    // The engine and the ingestor see the end of this day.
    clock.Set(p.start_ms + (day + 1) * kDayMs - 1);
    std::set<int64_t> learners;
    for (size_t i = begin; i < end;) {
      std::vector<ingest::IngestItem> batch;
      for (; i < end && batch.size() < options.ingest_batch; ++i) {
        const EventRef& ref = refs[i];
        model::LearningEvent e = plan.Make(ref);
        learners.insert(ref.student);
        if (ref.kind == EventKind::kVle) {
          history.Touch(e.learner.key, e.object.id, e.occurred_at_ms);
        }
        batch.push_back(std::move(e));
      }
      out.events += static_cast<int64_t>(batch.size());
      POLKU_ASSIGN_OR_RETURN(auto results,
                             ingestor.Ingest(options.tenant, std::move(batch)));
      for (const ingest::EventResult& r : results) {
        if (r.outcome == ingest::Outcome::kAccepted) {
          ++out.accepted;
        } else if (r.outcome == ingest::Outcome::kRejected ||
                   r.outcome == ingest::Outcome::kConflict) {
          ++out.rejected;
        }
      }
    }
    begin = end;

    for (int64_t student : learners) {
      auto next = sites_by_day.find({student, day + 1});
      if (next == sites_by_day.end() || next->second.first.empty()) {
        ++out.learner_days_skipped;
        continue;
      }
      if (options.max_learner_days > 0 && scored >= options.max_learner_days) {
        out.truncated = true;
        break;
      }
      ++scored;
      const IdSet target = site_ids(next->second.first);
      const IdSet next_day = site_ids(next->second.all);
      const std::string learner = OuladLearnerKey(student);

      POLKU_ASSIGN_OR_RETURN(
          learning::RecommendOutput rec,
          engine.Recommend(options.tenant, learner, k, "en"));
      std::vector<RankedItem> ranked;
      for (const learning::Recommendation& r : rec.items) {
        ranked.push_back(RankedItem{r.target_id, r.target_is_path});
      }
      out.polku.Add(ranked, target, next_day, modes);
      out.popularity.Add(Plain(history.Popular(learner, options.k)), target,
                         next_day, modes);
      out.recent.Add(Plain(history.Recent(learner, options.k)), target,
                     next_day, modes);
    }
  }
  out.seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started)
          .count();
  return out;
}

namespace {

std::string Fixed(double v, int decimals) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.*f", decimals, v);
  return buf;
}

std::string Pad(std::string s, size_t width) {
  if (s.size() < width) s.append(width - s.size(), ' ');
  return s;
}

std::string ModeMix(const SystemFigures& f) {
  auto pct = [&](model::Mode m) { return Fixed(100 * f.ModeShare(m), 0); };
  std::string mix = StrCat("S ", pct(model::Mode::kStructured), "% / SD ",
                           pct(model::Mode::kSelfDirected), "% / B ",
                           pct(model::Mode::kBlended), "%");
  if (f.paths() > 0) {
    common::StrAppend(
        &mix, " / paths ",
        Fixed(100.0 * f.paths() / std::max<int64_t>(1, f.items()), 0), "%");
  }
  return mix;
}

void FiguresJson(common::JsonWriter& w, const SystemFigures& f,
                 size_t activities) {
  w.BeginObject();
  w.Key("system");
  w.String(f.name());
  w.Key("learner_days");
  w.Int(f.learner_days());
  w.Key("hit_at_10");
  w.Double(f.hit());
  w.Key("ndcg_at_10");
  w.Double(f.ndcg());
  w.Key("any_next_day_hit_at_10");
  w.Double(f.any_hit());
  w.Key("coverage");
  w.Double(f.coverage(activities));
  w.Key("distinct_activities");
  w.Int(static_cast<int64_t>(f.distinct()));
  w.Key("items");
  w.Int(f.items());
  w.Key("mode_mix");
  w.BeginObject();
  w.Key("structured");
  w.Double(f.ModeShare(model::Mode::kStructured));
  w.Key("self_directed");
  w.Double(f.ModeShare(model::Mode::kSelfDirected));
  w.Key("blended");
  w.Double(f.ModeShare(model::Mode::kBlended));
  w.Key("path");
  w.Double(f.items() == 0 ? 0 : static_cast<double>(f.paths()) / f.items());
  w.EndObject();
  w.EndObject();
}

}  // namespace

std::string EvalTable(const std::vector<PresentationEval>& evals,
                      double wall_seconds) {
  std::string out;
  for (const PresentationEval& e : evals) {
    common::StrAppend(&out, e.code.Name(), ": ", e.activities, " activities, ",
                      e.paths, " paths, ", e.events, " events (", e.accepted,
                      " accepted, ", e.rejected, " rejected), ",
                      e.polku.learner_days(), " learner-days scored (",
                      e.learner_days_skipped,
                      " without a first-time site the next day)",
                      e.truncated ? ", stopped at --max-learner-days" : "",
                      ", ", Fixed(e.seconds, 1), " s\n");
    common::StrAppend(&out, "  ", Pad("system", 14), Pad("hit@10", 8),
                      Pad("NDCG@10", 9), Pad("coverage", 10),
                      Pad("any-next@10", 13), "mode mix of items\n");
    for (const SystemFigures* f : {&e.polku, &e.popularity, &e.recent}) {
      common::StrAppend(&out, "  ", Pad(f->name(), 14),
                        Pad(Fixed(f->hit(), 3), 8), Pad(Fixed(f->ndcg(), 3), 9),
                        Pad(Fixed(f->coverage(e.activities), 3), 10),
                        Pad(Fixed(f->any_hit(), 3), 13), ModeMix(*f), "\n");
    }
  }
  common::StrAppend(&out, "wall time ", Fixed(wall_seconds, 1), " s\n");
  return out;
}

std::string EvalJson(const std::vector<PresentationEval>& evals,
                     double wall_seconds) {
  common::JsonWriter w;
  w.BeginObject();
  w.Key("presentations");
  w.BeginArray();
  for (const PresentationEval& e : evals) {
    w.BeginObject();
    w.Key("presentation");
    w.String(e.code.Name());
    w.Key("activities");
    w.Int(static_cast<int64_t>(e.activities));
    w.Key("paths");
    w.Int(static_cast<int64_t>(e.paths));
    w.Key("events");
    w.Int(e.events);
    w.Key("accepted");
    w.Int(e.accepted);
    w.Key("rejected");
    w.Int(e.rejected);
    w.Key("learner_days");
    w.Int(e.polku.learner_days());
    w.Key("learner_days_skipped");
    w.Int(e.learner_days_skipped);
    w.Key("truncated");
    w.Bool(e.truncated);
    w.Key("seconds");
    w.Double(e.seconds);
    w.Key("systems");
    w.BeginArray();
    for (const SystemFigures* f : {&e.polku, &e.popularity, &e.recent}) {
      FiguresJson(w, *f, e.activities);
    }
    w.EndArray();
    w.EndObject();
  }
  w.EndArray();
  w.Key("wall_seconds");
  w.Double(wall_seconds);
  w.EndObject();
  return w.Take();
}

}  // namespace polku::oulad
