#include "learning/insights.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <unordered_map>
#include <unordered_set>

#include "common/str_cat.h"
#include "learning/texts.h"

namespace polku::learning {
namespace {

constexpr int64_t kWeekMs = 7LL * 86400000LL;
constexpr int64_t kFirstMondayMs = 4LL * 86400000LL;  // 1970-01-05

size_t D(model::Dimension d) { return static_cast<size_t>(d); }

std::string Percent(double share) {
  return common::StrCat(static_cast<int>(std::lround(share * 100)), " %");
}

// Accumulates the figures of one group.
struct Group {
  int64_t learners = 0;
  int64_t in_band = 0;
  int64_t known = 0;  // learners with enough evidence for a position
  double balance_sum = 0;
  model::DimensionArray mean_sum{};
  model::DimensionArray mean_n{};
  double sd = 0;
  double sd_goal = 0;

  void Add(const ProfileConfig& config, const Profile& p, int64_t now_ms) {
    ++learners;
    const ProfileView v = ViewAt(config, p, now_ms);
    if (v.position != BandPosition::kUnknown) {
      ++known;
      balance_sum += v.balance;
      if (v.position == BandPosition::kInside) ++in_band;
    }
    for (size_t d = 0; d < model::kDimensionCount; ++d) {
      if (v.weight[d] > 0) {
        mean_sum[d] += v.mean[d];
        mean_n[d] += 1;
      }
    }
    sd += v.signals[static_cast<size_t>(Signal::kSelfDirected)];
    sd_goal += v.signals[static_cast<size_t>(Signal::kSelfDirectedGoalLinked)];
  }

  GroupFigures Figures(const InsightConfig& config, std::string name) const {
    GroupFigures f;
    f.name = std::move(name);
    f.learners = learners;
    if (learners < config.min_group_size) {
      f.suppressed = true;
      return f;
    }
    f.share_in_band = known > 0 ? static_cast<double>(in_band) / known : 0;
    f.mean_balance = known > 0 ? balance_sum / known : 0;
    std::vector<std::pair<double, model::Dimension>> lag;
    for (model::Dimension d : model::kAllDimensions) {
      f.mean[D(d)] = mean_n[D(d)] > 0 ? mean_sum[D(d)] / mean_n[D(d)] : 0;
      if (mean_n[D(d)] > 0 && f.mean[D(d)] < config.lagging_below) {
        lag.emplace_back(f.mean[D(d)], d);
      }
    }
    std::sort(lag.begin(), lag.end());
    for (const auto& [m, d] : lag) {
      f.lagging.emplace_back(model::DimensionName(d));
    }
    f.self_directed_goal_linked_share = sd > 0 ? sd_goal / sd : 0;
    return f;
  }
};

}  // namespace

int64_t WeekOf(int64_t at_ms) {
  const int64_t t = at_ms - kFirstMondayMs;
  return t >= 0 ? t / kWeekMs : -((-t + kWeekMs - 1) / kWeekMs);
}

int64_t WeekStartMs(int64_t week) { return kFirstMondayMs + week * kWeekMs; }

LearnerReport ExplainProfile(const ProfileConfig& config,
                             const Profile* profile, int64_t now_ms,
                             std::string_view locale) {
  LearnerReport r;
  const bool fi = IsFinnish(locale);
  if (profile == nullptr || profile->empty()) {
    r.explanation =
        fi ? "Polku ei ole vielä nähnyt oppimistasi, joten suositukset ovat "
             "yleisiä: polkuja, joista aloittaa, ja pakollisia koulutuksia."
           : "Polku has not seen any of your learning yet, so your "
             "recommendations are general: paths to start from and required "
             "training.";
    return r;
  }
  r.view = ViewAt(config, *profile, now_ms);
  r.event_count = profile->sums.counts[static_cast<size_t>(Signal::kActivity)];
  const ProfileView& v = r.view;
  using common::StrCat;
  std::string text;
  const std::string band =
      StrCat(Percent(config.band_low), "–", Percent(config.band_high));
  switch (v.position) {
    case BandPosition::kUnknown:
      text = fi ? StrCat("Polku on nähnyt ", r.event_count,
                         " oppimistapahtumaasi, mutta niistä ei vielä voi "
                         "päätellä tasapainoasi. ")
                : StrCat("Polku has seen ", r.event_count,
                         " of your learning events, but they do not yet show "
                         "your balance. ");
      break;
    case BandPosition::kBelow:
      text = fi ? StrCat("Oppimisestasi ", Percent(v.balance),
                         " on omaehtoista ja jatkuvaa, tavoitealue on ", band,
                         ". Suositukset painottuvat siksi itse valittuun, "
                         "yhteisölliseen ja työssä tapahtuvaan oppimiseen. ")
                : StrCat(Percent(v.balance),
                         " of your learning is self-directed and continuous; "
                         "the target band is ",
                         band,
                         ". So your recommendations lean toward learning you "
                         "choose yourself, with others and at work. ");
      break;
    case BandPosition::kInside:
      text = fi ? StrCat("Oppimisestasi ", Percent(v.balance),
                         " on omaehtoista ja jatkuvaa, mikä on tavoitealueella "
                         "(",
                         band,
                         "). Suositukset jatkavat polkujasi tasapainoa "
                         "rikkomatta. ")
                : StrCat(Percent(v.balance),
                         " of your learning is self-directed and continuous, "
                         "inside the target band (",
                         band,
                         "). Your recommendations continue your paths "
                         "without tipping that balance. ");
      break;
    case BandPosition::kAbove:
      text =
          fi ? StrCat("Oppimisestasi ", Percent(v.balance),
                      " on omaehtoista ja jatkuvaa, yli tavoitealueen (", band,
                      "). Molempia tarvitaan, joten suosituksissa on myös "
                      "jäsenneltyä koulutusta, kuten pakollisia "
                      "kursseja. ")
             : StrCat(Percent(v.balance),
                      " of your learning is self-directed and continuous, "
                      "above the target band (",
                      band,
                      "). Both kinds are needed, so your recommendations "
                      "also include structured training such as required "
                      "courses. ");
      break;
  }
  // Strongest and weakest dimension with evidence.
  int strongest = -1;
  int weakest = -1;
  for (size_t d = 0; d < model::kDimensionCount; ++d) {
    if (v.weight[d] <= 0) continue;
    if (strongest < 0 || v.mean[d] > v.mean[strongest]) strongest = int(d);
    if (weakest < 0 || v.mean[d] < v.mean[weakest]) weakest = int(d);
  }
  if (strongest >= 0 && weakest >= 0 && strongest != weakest) {
    const auto ds = static_cast<model::Dimension>(strongest);
    const auto dw = static_cast<model::Dimension>(weakest);
    text +=
        fi ? StrCat(
                 "Kuudesta ulottuvuudesta oppimisesi on lähimpänä "
                 "oppimisen johtamista ulottuvuudessa ",
                 DimensionLabel(ds, locale), " ja kauimpana ulottuvuudessa ",
                 DimensionLabel(dw, locale), " (", PoleLabel(dw, false, locale),
                 " eikä ", PoleLabel(dw, true, locale), ").")
           : StrCat(
                 "Of the six dimensions, your learning is closest to "
                 "learning leadership in ",
                 DimensionLabel(ds, locale), " and furthest from it in ",
                 DimensionLabel(dw, locale), " (", PoleLabel(dw, false, locale),
                 " rather than ", PoleLabel(dw, true, locale), ").");
  }
  r.explanation = std::move(text);
  return r;
}

OrgOverview ComputeOverview(const InsightConfig& config,
                            const std::vector<LearnerSnapshot>& learners,
                            const std::vector<WeekRow>& weeks,
                            const Catalogue& catalogue, bool per_unit,
                            int trend_weeks, int64_t now_ms) {
  OrgOverview o;
  Group total;
  std::map<std::string, Group> units;
  std::map<std::string, Group> roles;
  for (const LearnerSnapshot& l : learners) {
    if (l.profile == nullptr) continue;
    total.Add(config.profile, *l.profile, now_ms);
    if (per_unit) units[l.org_unit].Add(config.profile, *l.profile, now_ms);
    if (!l.role.empty()) roles[l.role].Add(config.profile, *l.profile, now_ms);
  }
  o.total = total.Figures(config, "");
  if (!o.total.suppressed) {
    for (const auto& [name, g] : units) {
      o.units.push_back(g.Figures(config, name));
    }
    for (const auto& [name, g] : roles) {
      o.roles.push_back(g.Figures(config, name));
    }
  }
  // Trend: per week, each active learner's own balance that week.
  const int64_t last = WeekOf(now_ms);
  const int64_t first = last - std::max(1, trend_weeks) + 1;
  std::map<int64_t, std::unordered_map<std::string, std::pair<double, double>>>
      per_week;
  for (const WeekRow& w : weeks) {
    if (w.week < first || w.week > last) continue;
    auto& slot = per_week[w.week][w.learner_key];
    slot.first += w.leadership;
    slot.second += w.development;
  }
  for (int64_t week = first; week <= last; ++week) {
    WeekFigures f;
    f.week = week;
    f.week_start_ms = WeekStartMs(week);
    auto it = per_week.find(week);
    if (it != per_week.end()) {
      f.learners = static_cast<int64_t>(it->second.size());
      int64_t known = 0;
      int64_t inside = 0;
      double sum = 0;
      for (const auto& [key, ld] : it->second) {
        const double t = ld.first + ld.second;
        if (t <= 0) continue;
        const double b = ld.first / t;
        ++known;
        sum += b;
        if (b >= config.profile.band_low && b <= config.profile.band_high) {
          ++inside;
        }
      }
      if (known > 0) {
        f.share_in_band = static_cast<double>(inside) / known;
        f.mean_balance = sum / known;
      }
    }
    if (f.learners < config.min_group_size) {
      f.suppressed = true;
      f.share_in_band = 0;
      f.mean_balance = 0;
    }
    o.trend.push_back(f);
  }
  o.catalogue = catalogue.Compose();
  return o;
}

std::vector<SuggestedPath> MinePaths(
    const std::vector<std::vector<std::string>>& sequences,
    const Catalogue& catalogue, int max_suggestions, int min_support) {
  // Support of every contiguous run of 2..4 completions, once per learner.
  std::map<std::vector<std::string>, int> support;
  for (const auto& seq : sequences) {
    std::set<std::vector<std::string>> mine;
    for (size_t len = 2; len <= 4; ++len) {
      for (size_t i = 0; i + len <= seq.size(); ++i) {
        std::vector<std::string> run(seq.begin() + i, seq.begin() + i + len);
        if (std::set<std::string>(run.begin(), run.end()).size() != len) {
          continue;
        }
        mine.insert(std::move(run));
      }
    }
    for (const auto& run : mine) ++support[run];
  }
  std::vector<std::pair<std::vector<std::string>, int>> frequent;
  for (const auto& [run, n] : support) {
    if (n >= std::max(1, min_support)) frequent.emplace_back(run, n);
  }
  // Longest, then most supported first; ties by ids for stable output.
  std::sort(frequent.begin(), frequent.end(), [](const auto& a, const auto& b) {
    if (a.first.size() != b.first.size())
      return a.first.size() > b.first.size();
    if (a.second != b.second) return a.second > b.second;
    return a.first < b.first;
  });
  auto contained_in = [](const std::vector<std::string>& run,
                         const std::vector<std::string>& seq) {
    return std::search(seq.begin(), seq.end(), run.begin(), run.end()) !=
           seq.end();
  };
  std::vector<std::vector<std::string>> existing;
  for (const LearningPath& p : catalogue.paths()) {
    std::vector<std::string> ids;
    for (const PathStep& s : p.steps) ids.push_back(s.activity_id);
    existing.push_back(std::move(ids));
  }
  std::vector<SuggestedPath> out;
  for (const auto& [run, n] : frequent) {
    if (static_cast<int>(out.size()) >= max_suggestions) break;
    bool covered = false;
    for (const auto& e : existing) covered = covered || contained_in(run, e);
    for (const auto& s : out) {
      std::vector<std::string> ids;
      for (const PathStep& st : s.path.steps) ids.push_back(st.activity_id);
      covered = covered || contained_in(run, ids);
    }
    if (covered) continue;
    SuggestedPath sp;
    sp.support = n;
    sp.path.id = common::StrCat("suggested-", out.size() + 1);
    bool has_self_directed = false;
    std::set<std::string> competencies;
    std::set<std::string> goals;
    std::vector<std::string> titles;
    for (const auto& id : run) {
      PathStep step;
      step.activity_id = id;
      if (const Activity* a = catalogue.FindActivity(id)) {
        step.mode = a->mode;
        has_self_directed =
            has_self_directed || a->mode == model::Mode::kSelfDirected;
        competencies.insert(a->competencies.begin(), a->competencies.end());
        goals.insert(a->goal_ids.begin(), a->goal_ids.end());
        titles.push_back(a->title.empty() ? a->id : a->title);
        if (sp.path.goal_id.empty() && !a->goal_ids.empty()) {
          sp.path.goal_id = a->goal_ids.front();
        }
      } else {
        titles.push_back(id);
      }
      sp.path.steps.push_back(std::move(step));
    }
    sp.path.title = common::StrCat(titles.front(), " → ", titles.back());
    if (!has_self_directed) {
      // Complete the sequence with a related self-directed step.
      const Activity* best = nullptr;
      int best_overlap = 0;
      for (size_t i : catalogue.Visible()) {
        const Activity& a = catalogue.activities()[i];
        const bool social_or_work =
            a.type == model::ObjectType::kCommunity ||
            a.type == model::ObjectType::kReflection ||
            a.type == model::ObjectType::kWorkAssignment ||
            a.type == model::ObjectType::kMentoring ||
            a.type == model::ObjectType::kDiscussion;
        if (!social_or_work || a.mode == model::Mode::kStructured) continue;
        if (std::find(run.begin(), run.end(), a.id) != run.end()) continue;
        int overlap = 0;
        for (const auto& c : a.competencies) overlap += competencies.count(c);
        for (const auto& g : a.goal_ids) overlap += goals.count(g);
        if (overlap > best_overlap) {
          best = &a;
          best_overlap = overlap;
        }
      }
      if (best != nullptr) {
        PathStep step;
        step.activity_id = best->id;
        step.mode = model::Mode::kSelfDirected;
        sp.path.steps.push_back(std::move(step));
        sp.added_self_directed.push_back(best->id);
      }
    }
    out.push_back(std::move(sp));
  }
  return out;
}

}  // namespace polku::learning
