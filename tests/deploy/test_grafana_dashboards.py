"""deploy/grafana: the provisioning files, the two dashboards' structure,
and every PromQL expression in them: it parses (promtool) and names only
metrics, labels and label values a running polku-server exports."""
import os
import re
import tempfile

import pytest
import yaml

from deploylib import (BUILTIN_VARIABLES, check_against_scrape, dashboard_queries,
                       dashboard_variable_values, deploy_path, load_dashboards, run,
                       substitute)

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


def test_learning_insights_content():
    d = DASHBOARDS[INSIGHTS]
    exprs = " ".join(e for _, _, e in dashboard_queries(d))
    assert "sum by (mode)" in exprs and "sum by (source)" in exprs
    assert 'mode="self_directed"' in exprs
    # Until the server exports a tenant label, the per-tenant variable is a
    # per-source one.
    assert "source" in [v["name"] for v in d["templating"]["list"]]


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
        for p in check_against_scrape(expr, scrape["series"], known_values=known_values):
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
