"""The PromQL reader the dashboard and alert checks rely on: it must find
every metric name, and only metric names."""
import pytest

from deploylib import check_against_scrape, metric_names, selectors, substitute


@pytest.mark.parametrize("expr, names", [
    ('sum by (method, le) (rate(polku_grpc_request_duration_seconds_bucket{job="x",method=~"a|b"}[5m]))',
     {"polku_grpc_request_duration_seconds_bucket"}),
    ('histogram_quantile(0.99, sum(rate(h_bucket[5m])) by (le))', {"h_bucket"}),
    ('a / ignoring (mode) group_left sum(b{x="y"})', {"a", "b"}),
    ('increase(x[1d] offset 30m) > 0 and on (job) y == 0', {"x", "y"}),
    ('{__name__="up", job="p"}', {"up"}),
    ('absent(up{job="polku"})', {"up"}),
    ('count_values("version", polku_build_info)', {"polku_build_info"}),
    ('max_over_time(x[5m:1m])', {"x"}),
    ('label_replace(x, "dst", "$1", "src", "(.*)")', {"x"}),
    ('time() - y', {"y"}),
    ('1e3 * z + 0.5', {"z"}),
    ('vector(1)', set()),
    ('sum without (instance) (rate(c_total[1m])) / bool 2', {"c_total"}),
    ('topk(5, sum by (source) (increase(e{mode!="none"}[1h])))', {"e"}),
    ('x unless on (job, instance) y or z', {"x", "y", "z"}),
    ('rate(ns:recorded:rate5m[1m])', {"ns:recorded:rate5m"}),
])
def test_metric_names(expr, names):
    assert metric_names(expr) == names


def test_matchers_are_read():
    assert selectors('m{a="1", b!="2", c=~"x|y", d!~"z"}') == [
        ("m", [("a", "=", "1"), ("b", "!=", "2"), ("c", "=~", "x|y"), ("d", "!~", "z")])]


def test_check_against_scrape_names_each_problem():
    scraped = {"m_total": [{"result": "ok", "mode": "blended"}]}
    problems = check_against_scrape(
        'sum(m_total{job="j",result="ok"}) + n_total + m_total{result="bad"}'
        ' + m_total{tenant="t"} + m_total{mode=~"blended|self-directed"}', scraped)
    assert problems == [
        "metric n_total is not exported",
        'm_total has no series with result="bad"',
        "m_total has no label tenant",
        'm_total has no series with mode="self-directed"',
    ]
    assert check_against_scrape('m_total{code=~"OK|INTERNAL"}', {"m_total": [{"code": "OK"}]},
                                known_values={"code": {"OK", "INTERNAL"}}) == []


def test_late_metrics_are_checked_by_label_name_until_they_show():
    late = {"g": {"tenant"}}
    assert check_against_scrape('avg by (tenant) (g{job="j",tenant=~"a|b"})', {},
                                late_metrics=late) == []
    assert check_against_scrape('g{learner="x"}', {}, late_metrics=late) == \
        ["g has no label learner"]
    # Once on the page, a late metric is checked like any other.
    assert check_against_scrape('g{tenant="b"}', {"g": [{"tenant": "a"}]},
                                late_metrics=late) == ['g has no series with tenant="b"']
    # The list excuses only the metrics it names.
    assert check_against_scrape("h", {}, late_metrics=late) == ["metric h is not exported"]


def test_substitute_grafana_variables():
    assert substitute('rate(m{a=~"$a",b="${b}",c="[[c]]"}[$__rate_interval])',
                      {"a": ".*", "b": "x", "c": "y", "__rate_interval": "1m"}) == \
        'rate(m{a=~".*",b="x",c="y"}[1m])'
    with pytest.raises(KeyError):
        substitute("m{a=\"$nope\"}", {})
