// TaggerRegistry: the rules in force, per tenant, reloadable at run time.
//
// The default rule file applies to every tenant; a file named
// "<tenant>.yaml" in the override directory replaces it for that tenant.
// Reload() re-reads every file; if any file is invalid it keeps all the old
// rules and returns the error, so a bad edit never drops traffic or mixes
// old and new rules. Thread-safe: readers get a shared_ptr snapshot.
#ifndef POLKU_MODEL_TAGGER_REGISTRY_H_
#define POLKU_MODEL_TAGGER_REGISTRY_H_

#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "model/tagger.h"

namespace polku::model {

class TaggerRegistry {
 public:
  // Loads `default_rules_path` and every *.yaml in `override_dir` (may be
  // empty). Errors as RuleSet::Load.
  static absl::StatusOr<std::unique_ptr<TaggerRegistry>> Create(
      std::string default_rules_path, std::string override_dir);
  // A registry holding one given rule set (tests, `polku tag`).
  explicit TaggerRegistry(std::shared_ptr<const RuleSet> rules);

  std::shared_ptr<const Tagger> ForTenant(std::string_view tenant) const;

  // Re-reads all files; on error keeps the previous rules.
  absl::Status Reload();

 private:
  struct Snapshot {
    std::shared_ptr<const Tagger> default_tagger;
    std::map<std::string, std::shared_ptr<const Tagger>, std::less<>> tenants;
  };
  TaggerRegistry(std::string default_path, std::string override_dir)
      : default_path_(std::move(default_path)),
        override_dir_(std::move(override_dir)) {}
  absl::StatusOr<std::shared_ptr<const Snapshot>> LoadAll() const;

  const std::string default_path_;
  const std::string override_dir_;
  mutable absl::Mutex mu_;
  std::shared_ptr<const Snapshot> snapshot_ ABSL_GUARDED_BY(mu_);
};

}  // namespace polku::model

#endif  // POLKU_MODEL_TAGGER_REGISTRY_H_
