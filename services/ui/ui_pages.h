// UiPages: the learner widget (/ui/learner) and the administrator overview
// (/ui/overview), served by polku-server itself through the HTTP gateway
// (HttpGateway::SetUiHandler). Pages and their scripts and styles come from
// this library (assets/, compiled in); nothing is fetched from elsewhere.
//
// Learner widget:
//   GET|POST /ui/learner?token=T  exchanges a widget token (ui_token.h; in
//            the query or an application/x-www-form-urlencoded body) for a
//            session: 303 to the clean URL /ui/learner with the session
//            cookie. A token works once. Refused tokens: 401 page.
//   GET  /ui/learner              the page (session cookie), or 401 page
//   GET  /ui/learner/data         recommendations, profile, path progress
//   POST /ui/learner/feedback     {"recommendation_id", "outcome":
//                                 "ACCEPTED"|"DISMISSED"}: RecordFeedback
//   PUT  /ui/learner/profiling    {"opted_out": bool}: SetProfilingOptOut
// Overview:
//   GET    /ui/overview           the page (it asks for a key when needed)
//   POST   /ui/overview/session   the caller's API key (Authorization:
//                                 Bearer) with insights:read opens a session
//   DELETE /ui/overview/session   signs out
//   GET    /ui/overview/data      per org unit figures, trend, suggestions
// Assets: GET /ui/assets/{ui.css,learner.js,overview.js}.
//
// Writes need the session's CSRF token in "X-Polku-Csrf" (the page carries
// it in a meta element). Every response says Cache-Control: no-store and
// Referrer-Policy: no-referrer; widget responses carry the tenant's
// frame-ancestors list as Content-Security-Policy, the overview
// frame-ancestors 'none'.
//
// Thread-safe.
#ifndef POLKU_UI_UI_PAGES_H_
#define POLKU_UI_UI_PAGES_H_

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "api/handlers.h"
#include "api/http_gateway.h"
#include "common/clock.h"
#include "store/learning_store.h"
#include "ui/session_store.h"
#include "ui/ui_tenants.h"

namespace polku::ui {

struct UiPagesOptions {
  // Cookies get Secure (and the widget's SameSite=None; Partitioned, so it
  // works framed by an LMS on another site) when browsers reach the server
  // over HTTPS: its own TLS, or a TLS-terminating proxy (ui_public_https).
  bool tls = false;
  int64_t learner_session_ms = 60 * 60 * 1000;
  int64_t admin_session_ms = 8 * 60 * 60 * 1000;
};

// The Content-Security-Policy of a page that `frame_ancestors` may frame
// (empty: 'self' only). Entries must have passed ValidateFrameAncestor.
std::string ContentSecurityPolicy(
    const std::vector<std::string>& frame_ancestors);

// "fi" or "en": a "lang" query value when it is one of them, else the first
// of them in Accept-Language, else "en".
std::string PickLanguage(std::string_view query_lang,
                         std::string_view accept_language);

// The Set-Cookie value of a session cookie (HttpOnly, Path, SameSite,
// Secure with TLS); `max_age_seconds` 0 deletes it.
std::string SessionCookie(std::string_view name, std::string_view id,
                          std::string_view path, bool framed, bool tls,
                          int64_t max_age_seconds);

class UiPages final : public api::HttpSubHandler {
 public:
  // No pointer is owned; all must outlive this object. `learning` gives
  // the learner's activity states for path progress.
  UiPages(api::Handlers* handlers, store::LearningStore* learning,
          UiTenantStore* tenants, const common::Clock* clock,
          UiPagesOptions options);

  api::HttpResponse Handle(const api::HttpRequest& request) const override;

  SessionStore* sessions() const { return sessions_.get(); }

 private:
  struct Request;
  api::HttpResponse Learner(const Request& r) const;
  api::HttpResponse ExchangeToken(const Request& r,
                                  const std::string& token) const;
  api::HttpResponse LearnerData(const Request& r) const;
  api::HttpResponse LearnerFeedback(const Request& r) const;
  api::HttpResponse LearnerProfiling(const Request& r) const;
  api::HttpResponse Overview(const Request& r) const;
  api::HttpResponse OverviewSession(const Request& r) const;
  api::HttpResponse OverviewData(const Request& r) const;
  api::HttpResponse Asset(std::string_view name) const;
  std::vector<std::string> FrameAncestorsOf(std::string_view tenant) const;

  api::Handlers* handlers_;
  store::LearningStore* learning_;
  UiTenantStore* tenants_;
  const common::Clock* clock_;
  UiPagesOptions options_;
  std::unique_ptr<SessionStore> sessions_;
};

}  // namespace polku::ui

#endif  // POLKU_UI_UI_PAGES_H_
