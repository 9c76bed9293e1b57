// Offline ranking metrics and the two baselines of `polku eval oulad`.
//
// At each learner-day the evaluation compares a ranked list of activity ids
// with the target: the sites the learner opens the next day for the first
// time. HitAtK and NdcgAtK score one list (binary relevance); SystemFigures
// accumulates them over learner-days, with catalogue coverage and the mode
// mix of what was recommended. TouchHistory keeps what every learner has
// opened so far and ranks the two baselines from it:
//   popularity     the sites opened by the most learners so far, without
//                  the ones this learner has opened (ties: lower id first)
//   recent repeat  the sites this learner opened most recently (ties: more
//                  openings, then lower id). Every one of them was opened
//                  before, so it never hits a first-time target; it scores
//                  on the secondary "any next-day site" figure only.
//
// Thread-compatible.
#ifndef POLKU_OULAD_METRICS_H_
#define POLKU_OULAD_METRICS_H_

#include <array>
#include <cstdint>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "model/tags.h"

namespace polku::oulad {

using IdSet = std::unordered_set<std::string>;

// 1 when one of the first `k` ids of `ranked` is in `target`, else 0.
double HitAtK(const std::vector<std::string>& ranked, const IdSet& target,
              size_t k);
// DCG of the first `k` ids (relevance 1 for an id in `target`, discount
// log2(rank + 1), rank from 1) over the ideal DCG, in which min(|target|,
// k) relevant ids come first. 0 for an empty target.
double NdcgAtK(const std::vector<std::string>& ranked, const IdSet& target,
               size_t k);

// One ranked item: an activity id, or a path (never relevant: targets are
// sites).
struct RankedItem {
  std::string id;
  bool is_path = false;
};

// One system's figures over the learner-days scored so far.
class SystemFigures {
 public:
  SystemFigures(std::string name, size_t k) : name_(std::move(name)), k_(k) {}

  // Scores one learner-day. `modes` gives the mode of every catalogue
  // activity (an id it lacks counts as unspecified). `next_day` is every
  // site the learner opens the next day (first time or not).
  void Add(const std::vector<RankedItem>& ranked, const IdSet& target,
           const IdSet& next_day,
           const std::unordered_map<std::string, model::Mode>& modes);

  const std::string& name() const { return name_; }
  int64_t learner_days() const { return learner_days_; }
  double hit() const;      // mean hit@k
  double ndcg() const;     // mean NDCG@k
  double any_hit() const;  // mean hit@k against every next-day site
  // Distinct activities recommended / `catalogue_size`.
  double coverage(size_t catalogue_size) const;
  size_t distinct() const { return distinct_.size(); }
  int64_t items() const { return items_; }  // items recommended, in all
  int64_t paths() const { return paths_; }  // of which paths
  // Items per mode (index: model::Mode value; paths not counted).
  const std::array<int64_t, 4>& modes() const { return modes_; }
  double ModeShare(model::Mode m) const;  // of all items

 private:
  std::string name_;
  size_t k_;
  int64_t learner_days_ = 0;
  double hit_sum_ = 0;
  double ndcg_sum_ = 0;
  double any_hit_sum_ = 0;
  std::set<std::string> distinct_;
  int64_t items_ = 0;
  int64_t paths_ = 0;
  std::array<int64_t, 4> modes_{};
};

class TouchHistory {
 public:
  // Records that `learner` opened `site` at `at_ms`.
  void Touch(const std::string& learner, const std::string& site,
             int64_t at_ms);
  bool Touched(const std::string& learner, const std::string& site) const;
  // The two baselines (see the header comment), at most `k` ids each.
  std::vector<std::string> Popular(const std::string& learner, size_t k);
  std::vector<std::string> Recent(const std::string& learner, size_t k) const;

 private:
  struct Use {
    int64_t last_ms = 0;
    int64_t count = 0;
  };
  std::unordered_map<std::string, std::unordered_map<std::string, Use>>
      learners_;
  std::unordered_map<std::string, int64_t> reach_;  // site -> learners
  std::vector<std::string> by_reach_;               // rebuilt when dirty
  bool dirty_ = false;
};

}  // namespace polku::oulad

#endif  // POLKU_OULAD_METRICS_H_
