#include "ui/session_store.h"

#include <openssl/rand.h>

#include <cstdlib>
#include <vector>

namespace polku::ui {

std::string RandomId() {
  unsigned char buf[32];
  if (RAND_bytes(buf, sizeof(buf)) != 1) std::abort();  // no CSPRNG
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned char b : buf) {
    out.push_back(kHex[b >> 4]);
    out.push_back(kHex[b & 15]);
  }
  return out;
}

SessionStore::SessionStore(const common::Clock* clock, int64_t ttl_ms,
                           size_t max_sessions)
    : clock_(clock), ttl_ms_(ttl_ms), max_sessions_(max_sessions) {}

void SessionStore::EvictLocked(int64_t now) {
  while (!by_expiry_.empty() && (by_expiry_.begin()->first <= now ||
                                 sessions_.size() > max_sessions_)) {
    sessions_.erase(by_expiry_.begin()->second);
    by_expiry_.erase(by_expiry_.begin());
  }
  for (auto it = used_tokens_.begin(); it != used_tokens_.end();) {
    it = it->second <= now ? used_tokens_.erase(it) : std::next(it);
  }
}

Session SessionStore::Create(SessionKind kind, std::string tenant,
                             std::string learner, std::string key_id) {
  Session s;
  s.id = RandomId();
  s.kind = kind;
  s.tenant = std::move(tenant);
  s.learner = std::move(learner);
  s.key_id = std::move(key_id);
  s.csrf = RandomId();
  std::lock_guard<std::mutex> lock(mu_);
  int64_t now = clock_->NowMillis();
  s.expires_ms = now + ttl_ms_;
  sessions_[s.id] = s;
  by_expiry_.emplace(s.expires_ms, s.id);
  EvictLocked(now);
  return s;
}

std::optional<Session> SessionStore::Find(std::string_view id,
                                          SessionKind kind) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = sessions_.find(id);
  if (it == sessions_.end() || it->second.kind != kind ||
      it->second.expires_ms <= clock_->NowMillis()) {
    return std::nullopt;
  }
  return it->second;
}

void SessionStore::Remove(std::string_view id) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = sessions_.find(id);
  if (it == sessions_.end()) return;
  auto range = by_expiry_.equal_range(it->second.expires_ms);
  for (auto e = range.first; e != range.second; ++e) {
    if (e->second == it->second.id) {
      by_expiry_.erase(e);
      break;
    }
  }
  sessions_.erase(it);
}

bool SessionStore::MarkTokenUsed(const std::string& signature,
                                 int64_t expiry_ms) {
  std::lock_guard<std::mutex> lock(mu_);
  EvictLocked(clock_->NowMillis());
  return used_tokens_.emplace(signature, expiry_ms).second;
}

size_t SessionStore::size() {
  std::lock_guard<std::mutex> lock(mu_);
  return sessions_.size();
}

}  // namespace polku::ui
