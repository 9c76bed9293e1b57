"""deploy/grafana: the provisioning files, the two dashboards' structure,
and every PromQL expression in them: it parses (promtool) and names only
metrics, labels and label values a running polku-server exports."""
import os
import re
import tempfile

import pytest
import yaml

from deploylib import (BUILTIN_VARIABLES, LATE_METRICS, check_against_scrape,
                       dashboard_queries, dashboard_variable_values, deploy_path,
                       load_dashboards, run, selectors, substitute)

DASHBOARDS = load_dashboards()
HEALTH = "polku-service-health.json"
INSIGHTS = "polku-learning-insights.json"


def panels(dashboard):
    out = []
    for p in dashboard["panels"]:
        out.append(p)
        out.extend(p.get("panels", []))
    return out


def plain_queries(dashboard):
    values = dashboard_variable_values(dashboard)
    return [(title, ref, substitute(expr, values)) for title, ref, expr in
            dashboard_queries(dashboard)]


def variable_queries(dashboard):
    """(variable, metric selector, label) of each label_values() variable."""
    values = dashboard_variable_values(dashboard)
    out = []
    for v in dashboard["templating"]["list"]:
        if v["type"] != "query":
            continue
        q = v["query"]["query"] if isinstance(v["query"], dict) else v["query"]
        m = re.fullmatch(r"label_values\((.+),\s*(\w+)\)", q.strip())
        assert m, "%s: only label_values(selector, label) is used: %s" % (v["name"], q)
        out.append((v["name"], substitute(m.group(1), values), m.group(2)))
    return out


def test_both_dashboards_exist():
    assert set(DASHBOARDS) == {HEALTH, INSIGHTS}


@pytest.mark.parametrize("name", sorted(DASHBOARDS))
def test_dashboard_structure(name):
    d = DASHBOARDS[name]
    assert d["uid"] and len(d["uid"]) <= 40 and d["title"].startswith("Polku / ")
    assert "polku" in d["tags"]
    ids = [p["id"] for p in panels(d)]
    assert len(ids) == len(set(ids)), "panel ids repeat"
    names = [v["name"] for v in d["templating"]["list"]]
    assert len(names) == len(set(names))
    assert names[:2] == ["datasource", "job"]
    # Panels fit the 24-column grid and do not overlap.
    cells = set()
    for p in panels(d):
        g = p["gridPos"]
        assert 0 <= g["x"] and g["x"] + g["w"] <= 24, p["title"]
        for x in range(g["x"], g["x"] + g["w"]):
            for y in range(g["y"], g["y"] + g["h"]):
                assert (x, y) not in cells, "panel %r overlaps another" % p["title"]
                cells.add((x, y))
    for p in panels(d):
        if p["type"] in ("row", "text"):
            continue
        assert p["datasource"] == {"type": "prometheus", "uid": "${datasource}"}, p["title"]
        assert p["targets"], p["title"]
        refs = [t["refId"] for t in p["targets"]]
        assert len(refs) == len(set(refs)), p["title"]
        for t in p["targets"]:
            assert t["datasource"] == p["datasource"] and t["expr"].strip(), p["title"]
        assert p.get("description"), "panel %r says what it shows" % p["title"]


@pytest.mark.parametrize("name", sorted(DASHBOARDS))
def test_every_variable_used_is_defined(name):
    d = DASHBOARDS[name]
    defined = {v["name"] for v in d["templating"]["list"]} | set(BUILTIN_VARIABLES)
    for title, _, expr in dashboard_queries(d):
        used = set(re.findall(r"\$\{?(\w+)", expr))
        assert used <= defined, "%s: undefined %s" % (title, used - defined)
    # Every expression becomes plain PromQL once substituted.
    for title, _, expr in plain_queries(d):
        assert "$" not in expr, title


def test_service_health_content():
    d = DASHBOARDS[HEALTH]
    rows = [p["title"] for p in d["panels"] if p["type"] == "row"]
    assert any("per RPC" in r for r in rows)
    assert any("Store" in r for r in rows) and "Saturation" in rows
    heatmaps = [p for p in panels(d) if p["type"] == "heatmap"]
    assert len(heatmaps) >= 2, "latency heatmaps of RPCs and of store commits"
    for p in heatmaps:
        assert p["targets"][0]["format"] == "heatmap" and "_bucket" in p["targets"][0]["expr"]
    exprs = " ".join(e for _, _, e in dashboard_queries(d))
    for needle in ("sum by (method) (rate(polku_grpc_requests_total",      # rate
                   'code!="OK"',                                             # errors
                   "polku_grpc_request_duration_seconds_bucket",             # duration
                   "polku_store_commit_duration_seconds", "polku_store_commit_batch_events"):
        assert needle in exprs, needle
    assert "method" in [v["name"] for v in d["templating"]["list"]]
    # Saturation and limits: refusals by reason, in-flight calls, database size.
    by_metric = panels_by_metric(d)
    assert "sum by (reason)" in " ".join(by_metric["polku_rejected_requests_total"][0][1])
    assert by_metric["polku_inflight_requests"] and by_metric["polku_store_database_bytes"]
    saturation = [p["title"] for p in panels_of_row(d, "Saturation")]
    assert {"Rejected requests by reason", "In-flight requests"} <= set(saturation), saturation


def panels_by_metric(dashboard):
    """{metric name: [(panel title, [expr of the panel])]}."""
    out = {}
    for p in panels(dashboard):
        exprs = [t["expr"] for t in p.get("targets", [])]
        for name in {n for e in exprs for n, _ in selectors(substitute(
                e, dashboard_variable_values(dashboard)))}:
            out.setdefault(name, []).append((p["title"], exprs))
    return out


def panels_of_row(dashboard, title):
    """The panels below row `title` and above the next row."""
    out, inside = [], False
    for p in sorted(dashboard["panels"], key=lambda p: (p["gridPos"]["y"], p["gridPos"]["x"])):
        if p["type"] == "row":
            inside = p["title"] == title
        elif inside:
            out.append(p)
    return out


def test_learning_insights_content():
    d = DASHBOARDS[INSIGHTS]
    exprs = " ".join(e for _, _, e in dashboard_queries(d))
    assert "sum by (mode)" in exprs and "sum by (source)" in exprs
    assert 'mode="self_directed"' in exprs
    assert "source" in [v["name"] for v in d["templating"]["list"]]
    by_metric = panels_by_metric(d)
    # Self-directed share by tenant: the learners' gauge and the event-based
    # share of the tenant's accepted events.
    share = [t for t, _ in by_metric["polku_tenant_self_directed_share"]]
    assert share and share[0] in [t for t, _ in by_metric["polku_tenant_events_total"]]
    (_, share_exprs), = [x for x in by_metric["polku_tenant_events_total"] if x[0] == share[0]]
    assert any('mode="self_directed"' in e and "by (tenant)" in e for e in share_exprs)
    for metric in ("polku_tenant_share_in_band", "polku_tenant_learners",
                   "polku_recommendations_served_total"):
        assert by_metric.get(metric), metric
    assert any("sum by (outcome)" in e for _, es in by_metric["polku_feedback_total"]
               for e in es), "feedback by outcome"


def test_nudge_acceptance_is_accepted_over_shown_without_division_by_zero():
    d = DASHBOARDS[INSIGHTS]
    ratios = [e for _, _, e in dashboard_queries(d)
              if 'outcome="accepted"' in e and 'outcome="shown"' in e]
    assert ratios, "no nudge acceptance panel"
    for e in ratios:
        assert "by (kind)" in e, e
        # accepted / (shown > 0): a kind never shown has no value, not NaN or +Inf.
        num, _, den = e.partition(" / ")
        assert 'outcome="accepted"' in num and 'outcome="shown"' in den, e
        assert re.fullmatch(r"\(.*\)\s*>\s*0\s*\)?", den.strip()), e


def test_tenant_variable_is_defined_and_used():
    d = DASHBOARDS[INSIGHTS]
    (var,) = [v for v in d["templating"]["list"] if v["name"] == "tenant"]
    assert var["type"] == "query" and var["multi"] and var["includeAll"]
    assert var["allValue"] == ".*"
    q = var["query"]["query"] if isinstance(var["query"], dict) else var["query"]
    assert re.fullmatch(r'label_values\(polku_tenant_events_total\{job="\$job"\},\s*tenant\)', q), q
    # Every selector of a per-tenant metric follows the variable, and at
    # least one panel uses it.
    users = 0
    for title, _, expr in dashboard_queries(d):
        for name, matchers in selectors(substitute(expr, {**dashboard_variable_values(d),
                                                          "tenant": "$tenant"})):
            if name.startswith("polku_tenant_"):
                assert ("tenant", "=~", "$tenant") in matchers, "%s: %s" % (title, name)
                users += 1
    assert users >= 4


def test_expressions_parse_with_promtool():
    """All expressions, variables substituted, as recording rules: one
    group per panel so an error names the panel."""
    groups = []
    for name, d in sorted(DASHBOARDS.items()):
        for n, (title, ref, expr) in enumerate(plain_queries(d)):
            groups.append({"name": "%s #%d %s %s" % (name, n, title, ref),
                           "rules": [{"record": "dashboard:check", "expr": expr}]})
        for var, selector, _ in variable_queries(d):
            groups.append({"name": "%s variable %s" % (name, var),
                           "rules": [{"record": "dashboard:check", "expr": selector}]})
    assert len(groups) > 20
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "dashboard-expressions.yml")
        with open(path, "w") as f:
            yaml.safe_dump({"groups": groups}, f, width=1000)
        result = run(["promtool", "check", "rules", "--lint=none", path])
        assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("name", sorted(DASHBOARDS))
def test_expressions_name_only_exported_metrics(name, scrape, known_values):
    d = DASHBOARDS[name]
    problems = []
    for title, ref, expr in plain_queries(d):
        for p in check_against_scrape(expr, scrape["series"], known_values=known_values,
                                      late_metrics=LATE_METRICS):
            problems.append("%s (%s): %s" % (title, ref, p))
    for var, selector, label in variable_queries(d):
        for p in check_against_scrape(selector, scrape["series"], known_values=known_values):
            problems.append("variable %s: %s" % (var, p))
        metric = selector.split("{")[0]
        if label not in ("job", "instance"):
            assert any(label in s for s in scrape["series"].get(metric, [])), var
    assert not problems, "\n".join(problems)


def test_provisioning():
    with open(deploy_path("grafana", "provisioning", "datasources", "polku-prometheus.yaml")) as f:
        ds = yaml.safe_load(f)
    assert ds["apiVersion"] == 1
    (source,) = ds["datasources"]
    assert source["type"] == "prometheus" and source["uid"] and source["url"].startswith("http")
    with open(deploy_path("grafana", "provisioning", "dashboards", "polku.yaml")) as f:
        prov = yaml.safe_load(f)
    (provider,) = prov["providers"]
    assert provider["type"] == "file" and provider["folder"] == "Polku"
    assert os.path.isabs(provider["options"]["path"])
