#include "model/tagger_registry.h"

#include <filesystem>

#include "common/status_macros.h"
#include "common/str_cat.h"

namespace polku::model {

absl::StatusOr<std::unique_ptr<TaggerRegistry>> TaggerRegistry::Create(
    std::string default_rules_path, std::string override_dir) {
  std::unique_ptr<TaggerRegistry> r(new TaggerRegistry(
      std::move(default_rules_path), std::move(override_dir)));
  POLKU_RETURN_IF_ERROR(r->Reload());
  return r;
}

TaggerRegistry::TaggerRegistry(std::shared_ptr<const RuleSet> rules) {
  auto snap = std::make_shared<Snapshot>();
  snap->default_tagger = std::make_shared<Tagger>(std::move(rules));
  snapshot_ = std::move(snap);
}

std::shared_ptr<const Tagger> TaggerRegistry::ForTenant(
    std::string_view tenant) const {
  std::shared_ptr<const Snapshot> snap;
  {
    absl::MutexLock lock(&mu_);
    snap = snapshot_;
  }
  auto it = snap->tenants.find(tenant);
  return it != snap->tenants.end() ? it->second : snap->default_tagger;
}

absl::StatusOr<std::shared_ptr<const TaggerRegistry::Snapshot>>
TaggerRegistry::LoadAll() const {
  auto snap = std::make_shared<Snapshot>();
  POLKU_ASSIGN_OR_RETURN(auto rules, RuleSet::Load(default_path_));
  snap->default_tagger = std::make_shared<Tagger>(std::move(rules));
  if (!override_dir_.empty()) {
    std::error_code ec;
    for (const auto& entry :
         std::filesystem::directory_iterator(override_dir_, ec)) {
      if (entry.path().extension() != ".yaml") continue;
      POLKU_ASSIGN_OR_RETURN(auto tenant_rules,
                             RuleSet::Load(entry.path().string()));
      snap->tenants[entry.path().stem().string()] =
          std::make_shared<Tagger>(std::move(tenant_rules));
    }
    if (ec) {
      return absl::NotFoundError(common::StrCat(
          override_dir_, ": cannot list rule overrides: ", ec.message()));
    }
  }
  return std::shared_ptr<const Snapshot>(std::move(snap));
}

absl::Status TaggerRegistry::Reload() {
  if (default_path_.empty()) return absl::OkStatus();
  POLKU_ASSIGN_OR_RETURN(auto snap, LoadAll());
  absl::MutexLock lock(&mu_);
  snapshot_ = std::move(snap);
  return absl::OkStatus();
}

}  // namespace polku::model
