"""The server settings shipped in deploy/ (the host example, the container's
and the Kubernetes ConfigMap's): every key is one polku-server knows, and
the real server starts with each file (addresses, data and key paths
overridden by flags, which win, so that it runs here on free loopback
ports)."""
import os
import re

import pytest
import yaml

from deploylib import SOURCE_DIR, Server, binary, deploy_path, run


def server_settings():
    with open(os.path.join(SOURCE_DIR, "services", "server", "server_config.cc")) as f:
        return set(re.findall(r'\{"(\w+)",\s*(?:String|Bool|Int)\(', f.read()))


def configmap_config(variant=""):
    with open(deploy_path("kubernetes", variant, "configmap.yaml")) as f:
        return yaml.safe_load(f)["data"]["polku.yaml"]


def secret_keys():
    with open(deploy_path("kubernetes", "secret.example.yaml")) as f:
        return yaml.safe_load(f)["stringData"]["api_keys.json"]


CONFIGS = ("host", "container", "kubernetes", "kubernetes-postgres")
# The PostgreSQL variant needs a database to start (tests/postgres runs
# servers on one); here it is checked by its keys and its refusal to start
# without a connection string.
STARTABLE = CONFIGS[:3]


def config_file(name, tmp_path):
    """The path of a shipped settings file (the ConfigMap's, written out)."""
    if name == "host":
        return deploy_path("config", "polku.yaml")
    if name == "container":
        return deploy_path("docker", "polku.yaml")
    variant = "postgres" if name == "kubernetes-postgres" else ""
    path = tmp_path / ("k8s-%s-polku.yaml" % (variant or "sqlite"))
    path.write_text(configmap_config(variant))
    return str(path)


@pytest.mark.parametrize("name", CONFIGS)
def test_keys_are_server_settings(name, tmp_path):
    with open(config_file(name, tmp_path)) as f:
        config = yaml.safe_load(f)
    known = server_settings()
    assert len(known) >= 10
    assert set(config) <= known, set(config) - known
    assert config["dev_mode"] is False, "production settings never use dev_mode"
    assert config["durability"] == "full"
    assert config["shutdown_grace_seconds"] < 30


@pytest.mark.parametrize("name", STARTABLE)
def test_server_starts_with_the_file(name, tmp_path):
    keys = tmp_path / "api_keys.json"
    keys.write_text(secret_keys())  # the Kubernetes Secret example's key file
    rules_dir = tmp_path / "rules.d"
    rules_dir.mkdir()
    server = Server(config=config_file(name, tmp_path), dev_mode=False,
                    extra_flags=["--rules_dir=%s" % rules_dir, "--api_keys_file=%s" % keys])
    try:
        server.start()
        result = run([binary("polku"), "health", "--address=" + server.address])
        assert result.returncode == 0 and "SERVING" in result.stdout, result.stdout
    finally:
        server.stop()


def test_postgres_config_without_its_dsn_file_stops_naming_it(tmp_path):
    config = yaml.safe_load(configmap_config("postgres"))
    assert config["store"] == "postgres"
    dsn_file = config["postgres_dsn_file"]
    assert not os.path.exists(dsn_file)
    env = dict(os.environ)
    env.pop("POLKU_POSTGRES_DSN", None)
    result = run([binary("polku-server"), "--config=" + config_file("kubernetes-postgres", tmp_path),
                  "--grpc_address=127.0.0.1:0", "--http_address=127.0.0.1:0",
                  "--metrics_address=127.0.0.1:0", "--data_dir=%s" % tmp_path],
                 timeout=30, env=env)
    assert result.returncode != 0
    assert dsn_file in result.stdout + result.stderr, result.stderr


def test_a_wrong_key_stops_the_server_naming_it(tmp_path):
    path = tmp_path / "polku.yaml"
    path.write_text("grpc_adress: 127.0.0.1:0\n")
    result = run([binary("polku-server"), "--config=%s" % path], timeout=30)
    assert result.returncode != 0
    assert "grpc_adress" in result.stdout + result.stderr


def test_ports_agree_with_prometheus_and_the_container(tmp_path):
    with open(deploy_path("prometheus", "prometheus.yml")) as f:
        prom = yaml.safe_load(f)
    (target,) = prom["scrape_configs"][0]["static_configs"][0]["targets"]
    for name in CONFIGS:
        with open(config_file(name, tmp_path)) as f:
            config = yaml.safe_load(f)
        assert config["metrics_address"].rsplit(":", 1)[1] == target.rsplit(":", 1)[1], name
