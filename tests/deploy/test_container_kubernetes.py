"""deploy/docker and deploy/kubernetes, checked by parsing and structure
(there is no container engine or cluster here): the Dockerfile's stages,
base images, user, health check and copied paths; the Kubernetes objects of
both variants (SQLite: deploy/kubernetes, PostgreSQL:
deploy/kubernetes/postgres) as their kustomizations assemble them, and that
the image, the ConfigMap's settings, the probes, the Services, the
autoscaler, the disruption budget and the ServiceMonitor agree with each
other."""
import glob
import json
import os
import re
import shlex

import pytest

import yaml

from deploylib import SOURCE_DIR, deploy_path

DOCKERFILE = deploy_path("docker", "Dockerfile")
K8S = deploy_path("kubernetes")


# ---------------------------------------------------------------- Dockerfile

def dockerfile_instructions():
    """[(INSTRUCTION, arguments)] with continuation lines joined."""
    out, pending = [], ""
    with open(DOCKERFILE) as f:
        for raw in f:
            line = raw.rstrip("\n")
            if not pending and (not line.strip() or line.lstrip().startswith("#")):
                continue
            if pending and line.lstrip().startswith("#"):
                continue  # a comment inside a continued instruction
            if line.endswith("\\"):
                pending += line[:-1] + " "
                continue
            full = (pending + line).strip()
            pending = ""
            word, _, rest = full.partition(" ")
            out.append((word.upper(), rest.strip()))
    assert not pending, "Dockerfile ends inside a continued line"
    return out


def stages():
    """[{'image', 'name', 'instructions'}] per FROM."""
    out = []
    for ins, args in dockerfile_instructions():
        if ins == "FROM":
            parts = args.split()
            name = parts[2] if len(parts) == 3 and parts[1].upper() == "AS" else None
            out.append({"image": parts[0], "name": name, "instructions": []})
        else:
            assert out, "%s before FROM" % ins
            out[-1]["instructions"].append((ins, args))
    return out


def final(ins):
    return [a for i, a in stages()[-1]["instructions"] if i == ins]


def docker_config():
    with open(deploy_path("docker", "polku.yaml")) as f:
        return yaml.safe_load(f)


def port(address):
    return int(address.rsplit(":", 1)[1])


def test_dockerfile_is_multi_stage_on_debian_12():
    s = stages()
    assert len(s) >= 2
    for stage in s:
        assert re.fullmatch(r"debian:(12|bookworm)(-slim)?(@sha256:[0-9a-f]{64})?",
                            stage["image"]), stage["image"]
    build_names = {stage["name"] for stage in s[:-1]}
    copies_from = {m.group(1) for a in final("COPY")
                   for m in [re.search(r"--from=(\S+)", a)] if m}
    assert copies_from and copies_from <= build_names, "the runtime copies from the build stage"
    # Nothing to build with in the runtime image.
    runtime_runs = " ".join(final("RUN"))
    for tool in ("cmake", "g++", "install-deps.sh", "-dev"):
        assert tool not in runtime_runs, tool


def test_dockerfile_runs_as_a_non_root_user():
    (user,) = final("USER")
    uid = user.split(":")[0]
    assert uid not in ("root", "0")
    assert uid.isdigit(), "a numeric user lets Kubernetes check runAsNonRoot"
    assert re.search(r"useradd .*--uid %s\b" % uid, " ".join(final("RUN")))


def test_dockerfile_health_check_uses_polku_health():
    (check,) = final("HEALTHCHECK")
    cmd = json.loads(check[check.index("CMD") + 3:].strip())
    assert cmd[:2] == ["polku", "health"]
    address = [a for a in cmd if a.startswith("--address=")]
    assert address and port(address[0]) == port(docker_config()["grpc_address"])
    assert re.search(r"--interval=\d+s", check) and re.search(r"--timeout=\d+s", check)


def test_dockerfile_entrypoint_config_ports_and_volume():
    (entry,) = final("ENTRYPOINT")
    assert json.loads(entry) == ["/usr/bin/polku-server"]
    (cmd,) = final("CMD")
    assert json.loads(cmd) == ["--config=/etc/polku/polku.yaml"]
    config = docker_config()
    (expose,) = final("EXPOSE")
    assert {int(p) for p in expose.split()} == {
        port(config[k]) for k in ("grpc_address", "http_address", "metrics_address")}
    (volume,) = final("VOLUME")
    assert config["data_dir"] in json.loads(volume)
    text = open(DOCKERFILE).read()
    assert "deploy/docker/polku.yaml /out/etc/polku/polku.yaml" in text
    assert "deploy/config/rules.yaml /out/etc/polku/rules.yaml" in text
    assert config["rules"] == "/etc/polku/rules.yaml"
    assert "/etc/polku/rules.d" in text and config["rules_dir"] == "/etc/polku/rules.d"


def test_dockerfile_copies_paths_that_exist():
    text = open(DOCKERFILE).read()
    for ins, args in dockerfile_instructions():
        if ins == "COPY" and "--from=" not in args:
            for src in shlex.split(args)[:-1]:
                if not src.startswith("--"):
                    assert os.path.exists(os.path.join(SOURCE_DIR, src)), src
    for path in re.findall(r"\b((?:deploy|scripts)/[\w./-]+\.(?:sh|yaml))", text):
        assert os.path.exists(os.path.join(SOURCE_DIR, path)), path


# ---------------------------------------------------------------- Kubernetes

# variant -> its kustomization directory
VARIANTS = {"sqlite": K8S, "postgres": os.path.join(K8S, "postgres")}


def load_docs(path):
    with open(path) as f:
        return [d for d in yaml.safe_load_all(f) if d]


def kustomization(directory):
    (k,) = load_docs(os.path.join(directory, "kustomization.yaml"))
    assert k["kind"] == "Kustomization"
    return k


def assemble(directory):
    """The objects a kustomization lists, following directory resources
    (bases) as kustomize does; each tagged with the file it came from."""
    objs = []
    for res in kustomization(directory)["resources"]:
        path = os.path.normpath(os.path.join(directory, res))
        if os.path.isdir(path):
            objs.extend(assemble(path))
            continue
        for doc in load_docs(path):
            doc["_file"] = os.path.relpath(path, K8S)
            objs.append(doc)
    return objs


def objects(variant):
    return assemble(VARIANTS[variant])


def one(variant, kind, name=None):
    found = [o for o in objects(variant) if o["kind"] == kind and
             (name is None or o["metadata"]["name"] == name)]
    assert len(found) == 1, (variant, kind, name, len(found))
    return found[0]


def secret_example(variant):
    (secret,) = load_docs(os.path.join(VARIANTS[variant], "secret.example.yaml"))
    assert secret["kind"] == "Secret"
    return secret


def api_keys_secret():
    return secret_example("sqlite")


WORKLOAD = {"sqlite": "StatefulSet", "postgres": "Deployment"}


def workload(variant):
    return one(variant, WORKLOAD[variant])


def pod_spec(variant):
    return workload(variant)["spec"]["template"]["spec"]


def container(variant):
    (c,) = pod_spec(variant)["containers"]
    return c


def container_port(variant, name):
    (p,) = [p["containerPort"] for p in container(variant)["ports"] if p["name"] == name]
    return p


def k8s_config(variant):
    return yaml.safe_load(one(variant, "ConfigMap", "polku-config")["data"]["polku.yaml"])


def mounts(variant):
    return {m["name"]: m["mountPath"] for m in container(variant)["volumeMounts"]}


def volumes(variant):
    return {v["name"]: v for v in pod_spec(variant)["volumes"]}


def test_every_manifest_is_listed_by_its_kustomization():
    for directory in (K8S, os.path.join(K8S, "common"), os.path.join(K8S, "postgres")):
        files = {os.path.basename(p) for p in glob.glob(os.path.join(directory, "*.yaml"))}
        listed = kustomization(directory)["resources"]
        listed_files = {r for r in listed if not os.path.isdir(os.path.join(directory, r))}
        # secret.example.yaml shows a Secret's shape; applying it would
        # overwrite real keys.
        assert listed_files == files - {"kustomization.yaml", "secret.example.yaml"}, directory
    for variant, directory in VARIANTS.items():
        k = kustomization(directory)
        assert k["namespace"] == one(variant, "Namespace")["metadata"]["name"]
        for o in objects(variant):
            assert o.get("apiVersion") and o["metadata"]["name"], o["_file"]


def test_kinds_of_each_variant():
    kinds = {v: sorted(o["kind"] for o in objects(v)) for v in VARIANTS}
    assert kinds["sqlite"] == sorted(["Namespace", "ConfigMap", "Service", "Service",
                                      "StatefulSet", "ServiceMonitor"]), kinds
    assert kinds["postgres"] == sorted(["Namespace", "ConfigMap", "Service", "Deployment",
                                        "HorizontalPodAutoscaler", "PodDisruptionBudget",
                                        "ServiceMonitor"]), kinds


def test_statefulset_one_replica_with_a_persistent_volume():
    spec = workload("sqlite")["spec"]
    assert spec["replicas"] == 1, "SQLite allows one writer"
    assert k8s_config("sqlite").get("store", "sqlite") == "sqlite"
    labels = spec["template"]["metadata"]["labels"]
    assert spec["selector"]["matchLabels"].items() <= labels.items()
    (claim,) = spec["volumeClaimTemplates"]
    assert claim["spec"]["accessModes"] == ["ReadWriteOnce"]
    assert claim["spec"]["resources"]["requests"]["storage"]
    assert mounts("sqlite")[claim["metadata"]["name"]] == k8s_config("sqlite")["data_dir"]
    governing = one("sqlite", "Service", spec["serviceName"])
    assert governing["spec"]["clusterIP"] == "None"


def test_deployment_is_stateless_and_reads_the_dsn_from_a_secret():
    spec = workload("postgres")["spec"]
    assert "replicas" not in spec, "the autoscaler owns the replica count"
    assert "volumeClaimTemplates" not in spec
    labels = spec["template"]["metadata"]["labels"]
    assert spec["selector"]["matchLabels"].items() <= labels.items()
    cfg = k8s_config("postgres")
    assert cfg["store"] == "postgres"
    # The DSN is a file from the Secret polku-postgres, never inline.
    assert not [k for k in cfg if "dsn" in k and k != "postgres_dsn_file"]
    secret = secret_example("postgres")
    (vol,) = [n for n, v in volumes("postgres").items()
              if v.get("secret", {}).get("secretName") == secret["metadata"]["name"]]
    dsn_file = cfg["postgres_dsn_file"]
    assert os.path.dirname(dsn_file) == mounts("postgres")[vol]
    assert os.path.basename(dsn_file) in secret["stringData"]
    # Nothing persistent in the pod.
    data = volumes("postgres")[[n for n, p in mounts("postgres").items()
                               if p == cfg["data_dir"]][0]]
    assert "emptyDir" in data
    rolling = spec["strategy"]["rollingUpdate"]
    assert rolling["maxUnavailable"] == 0 and rolling["maxSurge"] >= 1
    spread = pod_spec("postgres")["topologySpreadConstraints"]
    assert {c["topologyKey"] for c in spread} >= {"kubernetes.io/hostname"}
    for c in spread:
        assert c["labelSelector"]["matchLabels"].items() <= labels.items()


def test_autoscaler_and_disruption_budget_fit_the_deployment():
    deployment = workload("postgres")
    hpa = one("postgres", "HorizontalPodAutoscaler")["spec"]
    assert hpa["scaleTargetRef"] == {"apiVersion": deployment["apiVersion"],
                                     "kind": "Deployment",
                                     "name": deployment["metadata"]["name"]}
    assert 2 <= hpa["minReplicas"] < hpa["maxReplicas"]
    (metric,) = hpa["metrics"]
    assert metric["resource"]["name"] == "cpu"
    assert 0 < metric["resource"]["target"]["averageUtilization"] <= 90
    # Utilisation is relative to the request: there must be one.
    assert container("postgres")["resources"]["requests"]["cpu"]
    assert hpa["behavior"]["scaleDown"]["stabilizationWindowSeconds"] >= 60
    pdb = one("postgres", "PodDisruptionBudget")["spec"]
    labels = deployment["spec"]["template"]["metadata"]["labels"]
    assert pdb["selector"]["matchLabels"].items() <= labels.items()
    # A drain never takes every replica.
    assert pdb["maxUnavailable"] < hpa["minReplicas"]


@pytest.mark.parametrize("variant", VARIANTS)
def test_probes_use_grpc_health_on_the_grpc_port(variant):
    c = container(variant)
    cfg = k8s_config(variant)
    grpc_port = container_port(variant, "grpc")
    assert grpc_port == port(cfg["grpc_address"])
    for probe in ("startupProbe", "readinessProbe", "livenessProbe"):
        assert c[probe]["grpc"]["port"] == grpc_port, probe
        assert set(c[probe]) & {"httpGet", "tcpSocket", "exec"} == set(), probe
    assert container_port(variant, "metrics") == port(cfg["metrics_address"])
    assert container_port(variant, "http") == port(cfg["http_address"])


@pytest.mark.parametrize("variant", VARIANTS)
def test_security_context_and_resources(variant):
    pod = pod_spec(variant)
    c = container(variant)
    assert pod["securityContext"]["runAsNonRoot"] is True
    assert c["securityContext"]["runAsNonRoot"] is True
    assert pod["securityContext"]["runAsUser"] != 0
    (user,) = final("USER")
    assert str(pod["securityContext"]["runAsUser"]) == user.split(":")[0]
    assert pod["securityContext"]["seccompProfile"]["type"] == "RuntimeDefault"
    assert c["securityContext"]["allowPrivilegeEscalation"] is False
    assert c["securityContext"]["readOnlyRootFilesystem"] is True
    assert c["securityContext"]["capabilities"]["drop"] == ["ALL"]
    assert pod["automountServiceAccountToken"] is False
    for kind in ("requests", "limits"):
        assert {"cpu", "memory"} <= set(c["resources"][kind]), kind
    # SIGTERM grace: Kubernetes waits longer than the server's own grace.
    assert pod["terminationGracePeriodSeconds"] > k8s_config(variant)["shutdown_grace_seconds"]


@pytest.mark.parametrize("variant", VARIANTS)
def test_config_secret_and_rules_are_mounted_where_the_config_says(variant):
    c = container(variant)
    cfg = k8s_config(variant)
    (config_arg,) = [a for a in c["args"] if a.startswith("--config=")]
    config_path = config_arg.split("=", 1)[1]
    (config_vol,) = [n for n, v in volumes(variant).items()
                     if v.get("configMap", {}).get("name") == "polku-config"]
    assert os.path.dirname(config_path) == mounts(variant)[config_vol]
    assert os.path.basename(config_path) in one(variant, "ConfigMap", "polku-config")["data"]
    secret = api_keys_secret()
    (secret_vol,) = [n for n, v in volumes(variant).items()
                     if v.get("secret", {}).get("secretName") == secret["metadata"]["name"]]
    assert os.path.dirname(cfg["api_keys_file"]) == mounts(variant)[secret_vol]
    keys = json.loads(secret["stringData"][os.path.basename(cfg["api_keys_file"])])
    assert keys["version"] == 1 and isinstance(keys["keys"], list)
    assert cfg["rules_dir"] in mounts(variant).values()
    assert cfg["dev_mode"] is False
    claims = {t["metadata"]["name"]
              for t in workload(variant)["spec"].get("volumeClaimTemplates", [])}
    for name in mounts(variant):
        assert name in volumes(variant) or name in claims, name


@pytest.mark.parametrize("variant", VARIANTS)
def test_service_ports_and_selector(variant):
    svc = one(variant, "Service", "polku")
    labels = workload(variant)["spec"]["template"]["metadata"]["labels"]
    names = {p["name"] for p in container(variant)["ports"]}
    services = [o for o in objects(variant) if o["kind"] == "Service"]
    for s in services:
        assert s["spec"]["selector"].items() <= labels.items()
        for p in s["spec"]["ports"]:
            assert p["targetPort"] in names and p["port"] == container_port(variant, p["targetPort"])
    assert {p["name"] for p in svc["spec"]["ports"]} == {"grpc", "http", "metrics"}
    if variant == "sqlite":
        one(variant, "Service", "polku-headless")


@pytest.mark.parametrize("variant", VARIANTS)
def test_service_monitor_selects_the_service_with_the_metrics_port(variant):
    sm = one(variant, "ServiceMonitor")
    selector = sm["spec"]["selector"]["matchLabels"]
    matching = [o for o in objects(variant) if o["kind"] == "Service"
                and selector.items() <= o["metadata"]["labels"].items()]
    assert [s["metadata"]["name"] for s in matching] == ["polku"], \
        "exactly one Service is scraped (not the headless one as well)"
    (endpoint,) = sm["spec"]["endpoints"]
    assert endpoint["port"] in {p["name"] for p in matching[0]["spec"]["ports"]}
    assert endpoint["path"] == "/metrics"
    # The job label is the Service name; the alert rules expect "polku".
    assert matching[0]["metadata"]["name"] == "polku"
