#include "ui/ui_pages.h"

#include <google/protobuf/util/json_util.h>
#include <simdjson.h>

#include <algorithm>
#include <map>
#include <set>

#include "common/field_error.h"
#include "common/json_writer.h"
#include "common/str_cat.h"
#include "common/strings.h"
#include "ui/ui_assets.h"
#include "ui/ui_token.h"

namespace polku::ui {
namespace {

namespace v1 = ::polku::v1;
using api::HttpRequest;
using api::HttpResponse;
using common::StrCat;

constexpr char kLearnerCookie[] = "polku_ui_learner";
constexpr char kAdminCookie[] = "polku_ui_admin";
constexpr char kWidgetPrincipal[] = "ui-widget";
// Org units whose own trend the overview fetches (the rest show their
// current figures only).
constexpr size_t kMaxUnitTrends = 24;
constexpr int kTrendWeeks = 12;

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Decodes application/x-www-form-urlencoded text (a query or a form body).
std::multimap<std::string, std::string> ParseForm(std::string_view text) {
  std::multimap<std::string, std::string> out;
  auto decode = [](std::string_view s) {
    std::string d;
    for (size_t i = 0; i < s.size(); ++i) {
      if (s[i] == '+') {
        d.push_back(' ');
      } else if (s[i] == '%' && i + 2 < s.size() && HexDigit(s[i + 1]) >= 0 &&
                 HexDigit(s[i + 2]) >= 0) {
        d.push_back(
            static_cast<char>(HexDigit(s[i + 1]) * 16 + HexDigit(s[i + 2])));
        i += 2;
      } else {
        d.push_back(s[i]);
      }
    }
    return d;
  };
  while (!text.empty()) {
    size_t amp = text.find('&');
    std::string_view pair = text.substr(0, amp);
    text = amp == std::string_view::npos ? std::string_view()
                                         : text.substr(amp + 1);
    if (pair.empty()) continue;
    size_t eq = pair.find('=');
    out.emplace(decode(pair.substr(0, eq)), eq == std::string_view::npos
                                                ? std::string()
                                                : decode(pair.substr(eq + 1)));
  }
  return out;
}

std::string Get(const std::multimap<std::string, std::string>& m,
                const std::string& key) {
  auto it = m.find(key);
  return it == m.end() ? std::string() : it->second;
}

std::string CookieValue(std::string_view header, std::string_view name) {
  while (!header.empty()) {
    size_t semi = header.find(';');
    std::string_view part = header.substr(0, semi);
    header = semi == std::string_view::npos ? std::string_view()
                                            : header.substr(semi + 1);
    while (!part.empty() && part.front() == ' ') part.remove_prefix(1);
    size_t eq = part.find('=');
    if (eq != std::string_view::npos && part.substr(0, eq) == name) {
      return std::string(part.substr(eq + 1));
    }
  }
  return std::string();
}

std::string HtmlEscape(std::string_view s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out.push_back(c);
    }
  }
  return out;
}

std::string ToJson(const google::protobuf::Message& m) {
  google::protobuf::util::JsonPrintOptions options;
  options.always_print_primitive_fields = true;
  std::string out;
  if (!google::protobuf::util::MessageToJsonString(m, &out, options).ok()) {
    return "null";
  }
  return out;
}

HttpResponse JsonOk(std::string body) {
  HttpResponse r;
  r.body = std::move(body);
  return r;
}

// Texts of the server-rendered parts, by language.
struct Texts {
  const char* widget_title;
  const char* overview_title;
  const char* refused_title;
  const char* refused_body;
  const char* loading;
  const char* skip;
};

const Texts& TextsOf(std::string_view lang) {
  static const Texts kEn = {
      "Your next steps",
      "Organisation overview",
      "This link cannot be opened",
      "The link has expired, was already used or is not valid. Open the "
      "page again from your learning environment.",
      "Loading…",
      "Skip to recommendations"};
  static const Texts kFi = {
      "Seuraavat askeleesi",
      "Organisaation kokonaiskuva",
      "Linkkiä ei voi avata",
      "Linkki on vanhentunut, jo käytetty tai virheellinen. Avaa sivu "
      "uudelleen oppimisympäristöstäsi.",
      "Ladataan…",
      "Siirry suosituksiin"};
  return lang == "fi" ? kFi : kEn;
}

}  // namespace

struct UiPages::Request {
  const HttpRequest* http = nullptr;
  std::string path;
  std::multimap<std::string, std::string> query;
  std::string lang;
  std::string Header(const std::string& name) const {
    auto it = http->headers.find(name);
    return it == http->headers.end() ? std::string() : it->second;
  }
};

std::string ContentSecurityPolicy(
    const std::vector<std::string>& frame_ancestors) {
  std::string ancestors;
  for (const std::string& o : frame_ancestors) {
    if (!ValidateFrameAncestor(o, "frame_ancestors").ok()) continue;
    common::StrAppend(&ancestors, " ", o);
  }
  if (ancestors.empty()) ancestors = " 'self'";
  return StrCat(
      "default-src 'none'; script-src 'self'; style-src 'self'; "
      "img-src 'self' data:; connect-src 'self'; form-action 'self'; "
      "base-uri 'none'; frame-ancestors",
      ancestors);
}

std::string PickLanguage(std::string_view query_lang,
                         std::string_view accept_language) {
  if (query_lang == "fi" || query_lang == "en") return std::string(query_lang);
  while (!accept_language.empty()) {
    size_t comma = accept_language.find(',');
    std::string_view tag = accept_language.substr(0, comma);
    accept_language = comma == std::string_view::npos
                          ? std::string_view()
                          : accept_language.substr(comma + 1);
    while (!tag.empty() && tag.front() == ' ') tag.remove_prefix(1);
    std::string primary =
        common::AsciiToLower(tag.substr(0, tag.find_first_of("-;")));
    if (primary == "fi" || primary == "en") return primary;
  }
  return "en";
}

std::string SessionCookie(std::string_view name, std::string_view id,
                          std::string_view path, bool framed, bool tls,
                          int64_t max_age_seconds) {
  std::string c = StrCat(name, "=", id, "; Path=", path,
                         "; Max-Age=", max_age_seconds, "; HttpOnly");
  if (framed && tls) {
    // Framed by an LMS on another site: a partitioned cookie, kept per
    // embedding site (no third-party cookie).
    c += "; Secure; SameSite=None; Partitioned";
  } else {
    c += framed ? "; SameSite=Lax" : "; SameSite=Strict";
    if (tls) c += "; Secure";
  }
  return c;
}

UiPages::UiPages(api::Handlers* handlers, store::LearningStore* learning,
                 UiTenantStore* tenants, const common::Clock* clock,
                 UiPagesOptions options)
    : handlers_(handlers),
      learning_(learning),
      tenants_(tenants),
      clock_(clock),
      options_(options),
      sessions_(std::make_unique<SessionStore>(
          clock,
          std::max(options.learner_session_ms, options.admin_session_ms))) {}

std::vector<std::string> UiPages::FrameAncestorsOf(
    std::string_view tenant) const {
  if (tenant.empty()) return {};
  auto t = tenants_->Find(tenant);
  return t.has_value() ? t->frame_ancestors : std::vector<std::string>();
}

HttpResponse UiPages::Handle(const HttpRequest& http) const {
  Request r;
  r.http = &http;
  std::string_view target = http.target;
  size_t q = target.find('?');
  r.path = std::string(target.substr(0, q));
  if (q != std::string_view::npos) r.query = ParseForm(target.substr(q + 1));
  r.lang = PickLanguage(Get(r.query, "lang"), r.Header("accept-language"));

  HttpResponse out;
  const std::string& m = http.method;
  bool get = m == "GET" || m == "HEAD";
  if (r.path == "/ui/learner" && (get || m == "POST")) {
    out = Learner(r);
  } else if (r.path == "/ui/learner/data" && get) {
    out = LearnerData(r);
  } else if (r.path == "/ui/learner/feedback" && m == "POST") {
    out = LearnerFeedback(r);
  } else if (r.path == "/ui/learner/profiling" && m == "PUT") {
    out = LearnerProfiling(r);
  } else if (r.path == "/ui/overview" && get) {
    out = Overview(r);
  } else if (r.path == "/ui/overview/session" &&
             (m == "POST" || m == "DELETE")) {
    out = OverviewSession(r);
  } else if (r.path == "/ui/overview/data" && get) {
    out = OverviewData(r);
  } else if (common::StartsWith(r.path, "/ui/assets/") && get) {
    out = Asset(std::string_view(r.path).substr(11));
  } else {
    out = api::ErrorResponse(absl::NotFoundError(
        "no such page (the pages are /ui/learner and /ui/overview)"));
  }
  out.headers.emplace_back("Cache-Control", "no-store");
  out.headers.emplace_back("Referrer-Policy", "no-referrer");
  out.headers.emplace_back("X-Content-Type-Options", "nosniff");
  bool has_csp = false;
  for (const auto& [k, v] : out.headers)
    has_csp |= k == "Content-Security-Policy";
  if (!has_csp) {
    // The overview, its data and the assets: never framed.
    std::string csp = ContentSecurityPolicy({});
    csp.resize(csp.rfind("frame-ancestors"));
    out.headers.emplace_back("Content-Security-Policy",
                             StrCat(csp, "frame-ancestors 'none'"));
  }
  return out;
}

// --- Learner widget -----------------------------------------------------

HttpResponse UiPages::Learner(const Request& r) const {
  std::string token = Get(r.query, "token");
  if (token.empty() && r.http->method == "POST") {
    token = Get(ParseForm(r.http->body), "token");
  }
  if (!token.empty()) return ExchangeToken(r, token);
  auto session = sessions_->Find(
      CookieValue(r.Header("cookie"), kLearnerCookie), SessionKind::kLearner);
  const Texts& t = TextsOf(r.lang);
  HttpResponse out;
  out.content_type = "text/html; charset=utf-8";
  if (!session.has_value()) {
    out.status = 401;
    out.body = StrCat(
        "<!doctype html><html lang=\"", r.lang,
        "\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" "
        "content=\"width=device-width, initial-scale=1\"><title>",
        t.refused_title,
        "</title><link rel=\"stylesheet\" href=\"/ui/assets/ui.css\"></head>"
        "<body class=\"polku\"><main id=\"refused\" role=\"alert\"><h1>",
        t.refused_title, "</h1><p>", t.refused_body,
        "</p></main></body></html>");
    out.headers.emplace_back("Content-Security-Policy",
                             ContentSecurityPolicy({}));
    return out;
  }
  out.body =
      StrCat("<!doctype html><html lang=\"", r.lang,
             "\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" "
             "content=\"width=device-width, initial-scale=1\"><meta "
             "name=\"polku-csrf\" content=\"",
             HtmlEscape(session->csrf), "\"><title>", t.widget_title,
             "</title><link rel=\"stylesheet\" href=\"/ui/assets/ui.css\">"
             "<script src=\"/ui/assets/learner.js\" defer></script></head>"
             "<body class=\"polku\"><a class=\"skip\" href=\"#recs\">",
             t.skip, "</a><main id=\"widget\"><h1>", t.widget_title,
             "</h1><p id=\"status\" role=\"status\" aria-live=\"polite\">",
             t.loading, "</p></main></body></html>");
  out.headers.emplace_back(
      "Content-Security-Policy",
      ContentSecurityPolicy(FrameAncestorsOf(session->tenant)));
  return out;
}

HttpResponse UiPages::ExchangeToken(const Request& r,
                                    const std::string& token) const {
  const int64_t now_ms = clock_->NowMillis();
  auto refuse = [&](const absl::Status& why, std::string_view tenant) {
    HttpResponse out;
    out.status = 401;
    out.content_type = "text/html; charset=utf-8";
    const Texts& t = TextsOf(r.lang);
    out.body = StrCat(
        "<!doctype html><html lang=\"", r.lang,
        "\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" "
        "content=\"width=device-width, initial-scale=1\"><title>",
        t.refused_title,
        "</title><link rel=\"stylesheet\" href=\"/ui/assets/ui.css\"></head>"
        "<body class=\"polku\"><main id=\"refused\" role=\"alert\"><h1>",
        t.refused_title, "</h1><p>", t.refused_body, "</p><p class=\"code\">",
        HtmlEscape(
            std::string_view(why.message().data(), why.message().size())),
        "</p></main></body></html>");
    out.headers.emplace_back("Content-Security-Policy",
                             ContentSecurityPolicy(FrameAncestorsOf(tenant)));
    return out;
  };
  auto parsed = ParseToken(token);
  if (!parsed.ok()) return refuse(parsed.status(), "");
  auto tenant = tenants_->Find(parsed->tenant);
  if (!tenant.has_value() || tenant->secret.empty()) {
    return refuse(absl::UnauthenticatedError(
                      "the widget token is refused: its tenant has no widget "
                      "secret (polku ui secret)"),
                  "");
  }
  auto claims = VerifyToken(token, tenant->SecretsAt(now_ms), now_ms / 1000);
  if (!claims.ok()) return refuse(claims.status(), parsed->tenant);
  if (!sessions_->MarkTokenUsed(
          claims->signature,
          (claims->expiry_seconds + kClockSkewSeconds + 1) * 1000)) {
    return refuse(absl::UnauthenticatedError(
                      "the widget token is refused: it was already used"),
                  claims->tenant);
  }
  Session s = sessions_->Create(SessionKind::kLearner, claims->tenant,
                                claims->learner, "");
  HttpResponse out;
  out.status = 303;
  out.content_type = "text/plain; charset=utf-8";
  std::string lang = Get(r.query, "lang");
  if (lang.empty() && r.http->method == "POST") {
    lang = Get(ParseForm(r.http->body), "lang");
  }
  out.headers.emplace_back("Location", lang == "fi" || lang == "en"
                                           ? StrCat("/ui/learner?lang=", lang)
                                           : std::string("/ui/learner"));
  out.headers.emplace_back(
      "Set-Cookie",
      SessionCookie(kLearnerCookie, s.id, "/ui/learner", /*framed=*/true,
                    options_.tls, options_.learner_session_ms / 1000));
  out.headers.emplace_back("Content-Security-Policy",
                           ContentSecurityPolicy(tenant->frame_ancestors));
  out.body = "See /ui/learner\n";
  return out;
}

namespace {

// The session of a JSON call: the cookie's, and for writes the CSRF header
// must match it.
absl::StatusOr<Session> SessionOf(SessionStore* sessions,
                                  const HttpRequest& http, const char* cookie,
                                  SessionKind kind, bool write) {
  auto it = http.headers.find("cookie");
  std::string id = it == http.headers.end() ? std::string()
                                            : CookieValue(it->second, cookie);
  auto s = sessions->Find(id, kind);
  if (!s.has_value()) {
    return absl::UnauthenticatedError(
        "no session or it has expired: open the page again");
  }
  if (write) {
    auto csrf = http.headers.find("x-polku-csrf");
    if (csrf == http.headers.end() || csrf->second != s->csrf) {
      return absl::PermissionDeniedError(
          "the request lacks the page's X-Polku-Csrf token");
    }
  }
  return *s;
}

absl::StatusOr<simdjson::dom::element> JsonBody(const HttpRequest& http) {
  auto ct = http.headers.find("content-type");
  if (ct == http.headers.end() ||
      !common::StartsWith(common::AsciiToLower(ct->second),
                          "application/json")) {
    return common::InvalidFieldError("content-type",
                                     "must be application/json");
  }
  thread_local simdjson::dom::parser parser;
  simdjson::dom::element root;
  if (parser.parse(http.body).get(root) || !root.is_object()) {
    return common::InvalidFieldError("body", "must be a JSON object");
  }
  return root;
}

}  // namespace

HttpResponse UiPages::LearnerData(const Request& r) const {
  auto s = SessionOf(sessions_.get(), *r.http, kLearnerCookie,
                     SessionKind::kLearner, false);
  if (!s.ok()) return api::ErrorResponse(s.status());
  api::Principal p{s->tenant, kWidgetPrincipal};

  v1::GetRecommendationsRequest rec_request;
  rec_request.set_learner(s->learner);
  rec_request.set_k(5);
  rec_request.set_locale(r.lang);
  auto recs = handlers_->GetRecommendations(p, rec_request);
  if (!recs.ok()) return api::ErrorResponse(recs.status());
  v1::GetLearnerProfileRequest profile_request;
  profile_request.set_learner(s->learner);
  profile_request.set_locale(r.lang);
  auto profile = handlers_->GetLearnerProfile(p, profile_request);
  if (!profile.ok()) return api::ErrorResponse(profile.status());

  // Path progress: the tenant's paths against what the learner did.
  std::map<std::string, store::ActivityState> done;
  if (learning_ != nullptr) {
    auto states = learning_->GetActivityStates(s->tenant, s->learner);
    if (!states.ok()) return api::ErrorResponse(states.status());
    for (store::ActivityState& a : *states) done[a.object_id] = a;
  }
  std::map<std::string, std::string> titles;
  std::vector<v1::LearningPath> paths;
  std::string page_token;
  for (int page = 0; page < 10; ++page) {
    v1::ListPathsRequest req;
    req.set_page_size(200);
    req.set_page_token(page_token);
    auto list = handlers_->ListPaths(p, req);
    if (!list.ok()) return api::ErrorResponse(list.status());
    for (const v1::LearningPath& path : list->paths()) paths.push_back(path);
    page_token = list->next_page_token();
    if (page_token.empty()) break;
  }
  page_token.clear();
  for (int page = 0; page < 10 && !paths.empty(); ++page) {
    v1::ListActivitiesRequest req;
    req.set_page_size(500);
    req.set_page_token(page_token);
    auto list = handlers_->ListActivities(p, req);
    if (!list.ok()) return api::ErrorResponse(list.status());
    for (const v1::Activity& a : list->activities()) titles[a.id()] = a.title();
    page_token = list->next_page_token();
    if (page_token.empty()) break;
  }

  common::JsonWriter w;
  w.BeginObject();
  w.Key("lang");
  w.String(r.lang);
  w.Key("recommendations");
  w.Raw(ToJson(*recs));
  w.Key("profile");
  w.Raw(ToJson(*profile));
  w.Key("paths");
  w.BeginArray();
  for (const v1::LearningPath& path : paths) {
    int total = 0, completed = 0, started = 0;
    for (const v1::PathStep& step : path.steps()) {
      if (!step.optional()) ++total;
      bool step_done = false, step_started = false;
      std::vector<std::string> ids = {step.activity_id()};
      for (const std::string& alt : step.alternative_activity_ids()) {
        ids.push_back(alt);
      }
      for (const std::string& id : ids) {
        auto it = done.find(id);
        if (it == done.end()) continue;
        step_started = true;
        step_done |= it->second.completed_ms > 0;
      }
      if (step_done && !step.optional()) ++completed;
      if (step_started) ++started;
    }
    if (started == 0) continue;  // not on this path
    w.BeginObject();
    w.Key("id");
    w.String(path.id());
    w.Key("title");
    w.String(path.title().empty() ? path.id() : path.title());
    w.Key("steps_total");
    w.Int(total);
    w.Key("steps_completed");
    w.Int(completed);
    w.Key("steps");
    w.BeginArray();
    for (const v1::PathStep& step : path.steps()) {
      bool step_done = false, step_started = false;
      std::vector<std::string> ids = {step.activity_id()};
      for (const std::string& alt : step.alternative_activity_ids()) {
        ids.push_back(alt);
      }
      for (const std::string& id : ids) {
        auto it = done.find(id);
        if (it == done.end()) continue;
        step_started = true;
        step_done |= it->second.completed_ms > 0;
      }
      auto title = titles.find(step.activity_id());
      w.BeginObject();
      w.Key("title");
      w.String(title != titles.end() && !title->second.empty()
                   ? title->second
                   : step.activity_id());
      w.Key("state");
      w.String(step_done ? "completed" : step_started ? "started" : "todo");
      w.Key("optional");
      w.Bool(step.optional());
      w.EndObject();
    }
    w.EndArray();
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
  return JsonOk(w.Take());
}

HttpResponse UiPages::LearnerFeedback(const Request& r) const {
  auto s = SessionOf(sessions_.get(), *r.http, kLearnerCookie,
                     SessionKind::kLearner, true);
  if (!s.ok()) return api::ErrorResponse(s.status());
  auto body = JsonBody(*r.http);
  if (!body.ok()) return api::ErrorResponse(body.status());
  std::string_view id, outcome;
  if ((*body)["recommendation_id"].get_string().get(id) || id.empty()) {
    return api::ErrorResponse(
        common::InvalidFieldError("recommendation_id", "is required"));
  }
  if ((*body)["outcome"].get_string().get(outcome)) outcome = "";
  v1::RecordFeedbackRequest request;
  request.set_learner(s->learner);
  request.set_recommendation_id(std::string(id));
  if (outcome == "ACCEPTED") {
    request.set_outcome(v1::FEEDBACK_OUTCOME_ACCEPTED);
  } else if (outcome == "DISMISSED") {
    request.set_outcome(v1::FEEDBACK_OUTCOME_DISMISSED);
  } else {
    return api::ErrorResponse(
        common::InvalidFieldError("outcome", "must be ACCEPTED or DISMISSED"));
  }
  auto response = handlers_->RecordFeedback(
      api::Principal{s->tenant, kWidgetPrincipal}, request);
  if (!response.ok()) return api::ErrorResponse(response.status());
  return JsonOk(ToJson(*response));
}

HttpResponse UiPages::LearnerProfiling(const Request& r) const {
  auto s = SessionOf(sessions_.get(), *r.http, kLearnerCookie,
                     SessionKind::kLearner, true);
  if (!s.ok()) return api::ErrorResponse(s.status());
  auto body = JsonBody(*r.http);
  if (!body.ok()) return api::ErrorResponse(body.status());
  bool opted_out = false;
  if ((*body)["opted_out"].get_bool().get(opted_out)) {
    return api::ErrorResponse(
        common::InvalidFieldError("opted_out", "must be true or false"));
  }
  v1::SetProfilingOptOutRequest request;
  request.set_learner(s->learner);
  request.set_opted_out(opted_out);
  auto response = handlers_->SetProfilingOptOut(
      api::Principal{s->tenant, kWidgetPrincipal}, request);
  if (!response.ok()) return api::ErrorResponse(response.status());
  return JsonOk(ToJson(*response));
}

// --- Overview -----------------------------------------------------------

HttpResponse UiPages::Overview(const Request& r) const {
  const Texts& t = TextsOf(r.lang);
  auto session = sessions_->Find(CookieValue(r.Header("cookie"), kAdminCookie),
                                 SessionKind::kAdmin);
  HttpResponse out;
  out.content_type = "text/html; charset=utf-8";
  out.body =
      StrCat("<!doctype html><html lang=\"", r.lang,
             "\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" "
             "content=\"width=device-width, initial-scale=1\"><meta "
             "name=\"polku-csrf\" content=\"",
             session.has_value() ? HtmlEscape(session->csrf) : std::string(),
             "\"><title>", t.overview_title,
             "</title><link rel=\"stylesheet\" href=\"/ui/assets/ui.css\">"
             "<script src=\"/ui/assets/overview.js\" defer></script></head>"
             "<body class=\"polku wide\"><main id=\"overview\"><h1>",
             t.overview_title,
             "</h1><p id=\"status\" role=\"status\" aria-live=\"polite\">",
             t.loading, "</p></main></body></html>");
  return out;
}

HttpResponse UiPages::OverviewSession(const Request& r) const {
  std::string cookie = CookieValue(r.Header("cookie"), kAdminCookie);
  if (r.http->method == "DELETE") {
    if (!cookie.empty()) sessions_->Remove(cookie);
    HttpResponse out;
    out.status = 204;
    out.content_type.clear();
    out.headers.emplace_back(
        "Set-Cookie", SessionCookie(kAdminCookie, "", "/ui/overview", false,
                                    options_.tls, 0));
    return out;
  }
  api::CallInfo info;
  info.peer = r.http->peer;
  for (const auto& [k, v] : r.http->headers) {
    if (k == "authorization" || k == "x-polku-tenant")
      info.metadata.emplace(k, v);
  }
  auto principal = handlers_->Authenticate(info, api::Rpc::kGetOrgOverview);
  if (!principal.ok()) {
    HttpResponse out = api::ErrorResponse(principal.status());
    // The page asks for the key itself; no browser dialog.
    out.headers.erase(std::remove_if(out.headers.begin(), out.headers.end(),
                                     [](const auto& h) {
                                       return h.first == "WWW-Authenticate";
                                     }),
                      out.headers.end());
    return out;
  }
  Session s = sessions_->Create(SessionKind::kAdmin, principal->tenant, "",
                                principal->key_id);
  common::JsonWriter w;
  w.BeginObject();
  w.Key("tenant");
  w.String(s.tenant);
  w.Key("csrf");
  w.String(s.csrf);
  w.EndObject();
  HttpResponse out = JsonOk(w.Take());
  out.headers.emplace_back(
      "Set-Cookie",
      SessionCookie(kAdminCookie, s.id, "/ui/overview", false, options_.tls,
                    options_.admin_session_ms / 1000));
  return out;
}

HttpResponse UiPages::OverviewData(const Request& r) const {
  auto s = SessionOf(sessions_.get(), *r.http, kAdminCookie,
                     SessionKind::kAdmin, false);
  if (!s.ok()) {
    HttpResponse out = api::ErrorResponse(s.status());
    out.headers.clear();
    return out;
  }
  api::Principal p{s->tenant, s->key_id};
  v1::GetOrgOverviewRequest request;
  request.set_weeks(kTrendWeeks);
  auto total = handlers_->GetOrgOverview(p, request);
  if (!total.ok()) return api::ErrorResponse(total.status());
  v1::SuggestPathsRequest suggest;
  suggest.set_max_suggestions(5);
  auto suggestions = handlers_->SuggestPaths(p, suggest);
  if (!suggestions.ok()) return api::ErrorResponse(suggestions.status());

  common::JsonWriter w;
  w.BeginObject();
  w.Key("tenant");
  w.String(s->tenant);
  w.Key("total");
  w.Raw(ToJson(*total));
  w.Key("unit_trends");
  w.BeginObject();
  size_t fetched = 0;
  for (const v1::GroupFigures& unit : total->units()) {
    if (unit.suppressed() || unit.name().empty()) continue;
    if (fetched++ >= kMaxUnitTrends) break;
    v1::GetOrgOverviewRequest unit_request;
    unit_request.set_org_unit(unit.name());
    unit_request.set_weeks(kTrendWeeks);
    auto figures = handlers_->GetOrgOverview(p, unit_request);
    if (!figures.ok()) return api::ErrorResponse(figures.status());
    w.Key(unit.name());
    w.BeginArray();
    for (const v1::WeekFigures& week : figures->trend()) w.Raw(ToJson(week));
    w.EndArray();
  }
  w.EndObject();
  w.Key("suggestions");
  w.Raw(ToJson(*suggestions));
  w.EndObject();
  return JsonOk(w.Take());
}

HttpResponse UiPages::Asset(std::string_view name) const {
  const UiAsset* asset = FindAsset(name);
  if (asset == nullptr) {
    return api::ErrorResponse(absl::NotFoundError("no such asset"));
  }
  HttpResponse out;
  out.content_type = std::string(asset->content_type);
  out.body = std::string(asset->body);
  return out;
}

}  // namespace polku::ui
