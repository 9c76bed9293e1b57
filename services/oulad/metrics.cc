#include "oulad/metrics.h"

#include <algorithm>
#include <cmath>
#include <tuple>
#include <utility>

namespace polku::oulad {

double HitAtK(const std::vector<std::string>& ranked, const IdSet& target,
              size_t k) {
  for (size_t i = 0; i < ranked.size() && i < k; ++i) {
    if (target.count(ranked[i]) > 0) return 1;
  }
  return 0;
}

double NdcgAtK(const std::vector<std::string>& ranked, const IdSet& target,
               size_t k) {
  if (target.empty() || k == 0) return 0;
  double dcg = 0;
  for (size_t i = 0; i < ranked.size() && i < k; ++i) {
    if (target.count(ranked[i]) > 0) dcg += 1 / std::log2(i + 2.0);
  }
  double ideal = 0;
  for (size_t i = 0; i < std::min(target.size(), k); ++i) {
    ideal += 1 / std::log2(i + 2.0);
  }
  return dcg / ideal;
}

void SystemFigures::Add(
    const std::vector<RankedItem>& ranked, const IdSet& target,
    const IdSet& next_day,
    const std::unordered_map<std::string, model::Mode>& modes) {
  std::vector<std::string> ids;
  for (size_t i = 0; i < ranked.size() && i < k_; ++i) {
    const RankedItem& item = ranked[i];
    ++items_;
    if (item.is_path) {
      ++paths_;
      // A path is never a site: keep its rank, never relevant.
      ids.push_back(std::string());
      continue;
    }
    ids.push_back(item.id);
    distinct_.insert(item.id);
    auto it = modes.find(item.id);
    model::Mode mode =
        it == modes.end() ? model::Mode::kUnspecified : it->second;
    ++modes_[static_cast<size_t>(mode) < modes_.size()
                 ? static_cast<size_t>(mode)
                 : 0];
  }
  ++learner_days_;
  hit_sum_ += HitAtK(ids, target, k_);
  ndcg_sum_ += NdcgAtK(ids, target, k_);
  any_hit_sum_ += HitAtK(ids, next_day, k_);
}

double SystemFigures::hit() const {
  return learner_days_ == 0 ? 0 : hit_sum_ / learner_days_;
}
double SystemFigures::ndcg() const {
  return learner_days_ == 0 ? 0 : ndcg_sum_ / learner_days_;
}
double SystemFigures::any_hit() const {
  return learner_days_ == 0 ? 0 : any_hit_sum_ / learner_days_;
}
double SystemFigures::coverage(size_t catalogue_size) const {
  return catalogue_size == 0
             ? 0
             : static_cast<double>(distinct_.size()) / catalogue_size;
}
double SystemFigures::ModeShare(model::Mode m) const {
  return items_ == 0
             ? 0
             : static_cast<double>(modes_[static_cast<size_t>(m)]) / items_;
}

void TouchHistory::Touch(const std::string& learner, const std::string& site,
                         int64_t at_ms) {
  Use& use = learners_[learner][site];
  if (use.count == 0) {
    ++reach_[site];
    dirty_ = true;
  }
  ++use.count;
  use.last_ms = std::max(use.last_ms, at_ms);
}

bool TouchHistory::Touched(const std::string& learner,
                           const std::string& site) const {
  auto it = learners_.find(learner);
  return it != learners_.end() && it->second.count(site) > 0;
}

std::vector<std::string> TouchHistory::Popular(const std::string& learner,
                                               size_t k) {
  if (dirty_) {
    by_reach_.clear();
    for (const auto& [site, n] : reach_) by_reach_.push_back(site);
    std::sort(by_reach_.begin(), by_reach_.end(),
              [&](const std::string& a, const std::string& b) {
                int64_t na = reach_.at(a);
                int64_t nb = reach_.at(b);
                return na != nb ? na > nb : a < b;
              });
    dirty_ = false;
  }
  std::vector<std::string> out;
  for (const std::string& site : by_reach_) {
    if (out.size() >= k) break;
    if (!Touched(learner, site)) out.push_back(site);
  }
  return out;
}

std::vector<std::string> TouchHistory::Recent(const std::string& learner,
                                              size_t k) const {
  std::vector<std::pair<std::string, Use>> uses;
  auto it = learners_.find(learner);
  if (it == learners_.end()) return {};
  uses.assign(it->second.begin(), it->second.end());
  std::sort(uses.begin(), uses.end(), [](const auto& a, const auto& b) {
    return std::make_tuple(-a.second.last_ms, -a.second.count,
                           std::cref(a.first)) <
           std::make_tuple(-b.second.last_ms, -b.second.count,
                           std::cref(b.first));
  });
  std::vector<std::string> out;
  for (size_t i = 0; i < uses.size() && i < k; ++i) {
    out.push_back(uses[i].first);
  }
  return out;
}

}  // namespace polku::oulad
