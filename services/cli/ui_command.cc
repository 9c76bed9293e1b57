#include "cli/ui_command.h"

#include <cctype>
#include <chrono>
#include <cstdlib>
#include <iostream>
#include <map>
#include <string>
#include <vector>

#include "common/str_cat.h"
#include "ui/ui_tenants.h"
#include "ui/ui_token.h"

namespace polku::cli {
namespace {

constexpr char kUiUsage[] = R"(Usage: polku ui ACTION [flags]

Manages the learner widget's per-tenant settings (DATA_DIR/ui_tenants.json,
re-read by a running server when it changes).

  secret           --tenant=T [--grace_hours=24]
                   creates or rotates the widget secret and prints it once;
                   the previous secret keeps working for --grace_hours
  frame-ancestors  --tenant=T --origins=https://lms.example.edu[,...]
                   origins allowed to frame the widget (empty: none but Polku)
  token            --tenant=T --learner=KEY [--ttl=300] [--base_url=URL]
                   mints a v2 widget token (a random nonce; at most 600 s)
                   with the current secret
  show             [--tenant=T]   secret state and frame-ancestors list

  --data_dir=DIR (default ./var/polku) or --ui_tenants_file=FILE
)";

int64_t NowMillis() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

int Fail(std::string_view action, const absl::Status& s) {
  std::cerr << "polku ui " << action << ": " << s.message() << "\n";
  return s.code() == absl::StatusCode::kUnavailable ? 1 : 2;
}

std::vector<std::string> SplitList(const std::string& list) {
  std::vector<std::string> out;
  for (size_t start = 0; start < list.size();) {
    size_t comma = list.find(',', start);
    if (comma == std::string::npos) comma = list.size();
    if (comma > start) out.push_back(list.substr(start, comma - start));
    start = comma + 1;
  }
  return out;
}

// Percent-encodes a token for a query string (base64url and digits need
// none; kept general).
std::string QueryEscape(std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  return out;
}

}  // namespace

int UiCommand(int argc, char** argv) {
  std::vector<std::string> positional;
  std::map<std::string, std::string> flags;
  for (int i = 0; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--help" || a == "-h") {
      std::cout << kUiUsage;
      return 0;
    }
    if (a.rfind("--", 0) == 0) {
      size_t eq = a.find('=');
      if (eq == std::string::npos) {
        if (i + 1 >= argc) {
          std::cerr << "polku ui: " << a << " needs a value\n" << kUiUsage;
          return 2;
        }
        flags[a.substr(2)] = argv[++i];
      } else {
        flags[a.substr(2, eq - 2)] = a.substr(eq + 1);
      }
    } else {
      positional.push_back(a);
    }
  }
  if (positional.size() != 1) {
    std::cerr << kUiUsage;
    return 2;
  }
  const std::string action = positional[0];
  auto flag = [&](const std::string& name, const std::string& def) {
    auto it = flags.find(name);
    return it == flags.end() ? def : it->second;
  };
  std::string file = flag("ui_tenants_file", "");
  if (file.empty()) {
    file = ui::DefaultUiTenantsFile(flag("data_dir", "./var/polku"));
  }
  const std::string tenant = flag("tenant", "");
  if (action != "show" && tenant.empty()) {
    std::cerr << "polku ui " << action << ": --tenant is required\n";
    return 2;
  }
  if (action == "secret") {
    double hours = std::atof(flag("grace_hours", "24").c_str());
    auto t = ui::RotateUiSecret(
        file, tenant, static_cast<int64_t>(hours * 3600 * 1000), NowMillis());
    if (!t.ok()) return Fail(action, t.status());
    std::cout << t->secret << "\n";
    std::cerr << (t->previous_secret.empty()
                      ? "created the widget secret of tenant "
                      : "rotated the widget secret of tenant ")
              << tenant
              << (t->previous_secret.empty()
                      ? ""
                      : "; the previous one keeps working for the grace "
                        "period")
              << " (shown only now: store it in the adapter's settings)\n";
    return 0;
  }
  if (action == "frame-ancestors") {
    if (flags.count("origins") == 0) {
      std::cerr << "polku ui frame-ancestors: --origins is required (empty "
                   "clears the list)\n";
      return 2;
    }
    auto t = ui::SetFrameAncestors(file, tenant, SplitList(flag("origins", "")),
                                   NowMillis());
    if (!t.ok()) return Fail(action, t.status());
    std::string origins;
    for (const std::string& o : t->frame_ancestors) origins += " " + o;
    std::cerr << "tenant " << tenant << ": frame-ancestors"
              << (origins.empty() ? std::string(" 'self' only") : origins)
              << "\n";
    return 0;
  }
  if (action == "token") {
    const std::string learner = flag("learner", "");
    if (learner.empty()) {
      std::cerr << "polku ui token: --learner is required\n";
      return 2;
    }
    int64_t ttl = std::atoll(flag("ttl", "300").c_str());
    if (ttl <= 0 || ttl > ui::kMaxTokenLifetimeSeconds) {
      std::cerr << "polku ui token: --ttl must be 1-"
                << ui::kMaxTokenLifetimeSeconds << " seconds\n";
      return 2;
    }
    auto tenants = ui::ReadUiTenantsFile(file);
    if (!tenants.ok()) return Fail(action, tenants.status());
    std::string secret;
    for (const ui::UiTenant& t : *tenants) {
      if (t.tenant == tenant) secret = t.secret;
    }
    if (secret.empty()) {
      std::cerr << "polku ui token: tenant " << tenant
                << " has no widget secret yet (polku ui secret --tenant="
                << tenant << ")\n";
      return 2;
    }
    // A v2 token: its random nonce makes each one unique, also two minted
    // for one learner within the same second.
    auto token =
        ui::MintToken(secret, tenant, learner, NowMillis() / 1000 + ttl);
    if (!token.ok()) return Fail(action, token.status());
    std::string base = flag("base_url", "");
    while (!base.empty() && base.back() == '/') base.pop_back();
    std::cout << (base.empty()
                      ? *token
                      : common::StrCat(
                            base, "/ui/learner?token=", QueryEscape(*token)))
              << "\n";
    return 0;
  }
  if (action == "show") {
    auto tenants = ui::ReadUiTenantsFile(file);
    if (!tenants.ok()) return Fail(action, tenants.status());
    const int64_t now = NowMillis();
    std::cout << "tenant\tsecret\tprevious_secret\tframe_ancestors\n";
    for (const ui::UiTenant& t : *tenants) {
      if (!tenant.empty() && t.tenant != tenant) continue;
      std::string origins;
      for (const std::string& o : t.frame_ancestors) {
        origins += (origins.empty() ? "" : " ") + o;
      }
      std::cout << t.tenant << "\t" << (t.secret.empty() ? "none" : "set")
                << "\t"
                << (t.previous_secret.empty() ? "none"
                    : now < t.previous_valid_until_ms
                        ? "valid until " +
                              std::to_string(t.previous_valid_until_ms / 1000)
                        : "expired")
                << "\t" << (origins.empty() ? "'self'" : origins) << "\n";
    }
    return 0;
  }
  std::cerr << "polku ui: unknown action '" << action << "'\n" << kUiUsage;
  return 2;
}

}  // namespace polku::cli
