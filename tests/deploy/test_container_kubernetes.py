"""deploy/docker and deploy/kubernetes, checked by parsing and structure
(there is no container engine or cluster here): the Dockerfile's stages,
base images, user, health check and copied paths; the Kubernetes objects,
and that the image, the ConfigMap's settings, the probes, the Services and
the ServiceMonitor agree with each other."""
import glob
import json
import os
import re
import shlex

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

def k8s_objects():
    objs = []
    for path in sorted(glob.glob(os.path.join(K8S, "*.yaml"))):
        with open(path) as f:
            for doc in yaml.safe_load_all(f):
                if doc:
                    doc["_file"] = os.path.basename(path)
                    objs.append(doc)
    return objs


OBJECTS = k8s_objects()


def one(kind, name=None):
    found = [o for o in OBJECTS if o["kind"] == kind and
             (name is None or o["metadata"]["name"] == name)]
    assert len(found) == 1, (kind, name, len(found))
    return found[0]


def statefulset():
    return one("StatefulSet")


def container():
    (c,) = statefulset()["spec"]["template"]["spec"]["containers"]
    return c


def container_port(name):
    (p,) = [p["containerPort"] for p in container()["ports"] if p["name"] == name]
    return p


def k8s_config():
    return yaml.safe_load(one("ConfigMap", "polku-config")["data"]["polku.yaml"])


def test_kinds_and_kustomization():
    kinds = sorted(o["kind"] for o in OBJECTS)
    assert kinds == sorted(["Kustomization", "Namespace", "ConfigMap", "Secret", "Service",
                            "Service", "StatefulSet", "ServiceMonitor"]), kinds
    for o in OBJECTS:
        assert o.get("apiVersion") and (o["kind"] == "Kustomization" or o["metadata"]["name"])
    # Replicas and autoscaling come with the PostgreSQL store.
    assert not [o for o in OBJECTS if o["kind"] in ("Deployment", "HorizontalPodAutoscaler")]
    k = one("Kustomization")
    files = {os.path.basename(p) for p in glob.glob(os.path.join(K8S, "*.yaml"))}
    assert set(k["resources"]) == files - {"kustomization.yaml", "secret.example.yaml"}
    assert k["namespace"] == one("Namespace")["metadata"]["name"]


def test_statefulset_one_replica_with_a_persistent_volume():
    spec = statefulset()["spec"]
    assert spec["replicas"] == 1
    labels = spec["template"]["metadata"]["labels"]
    assert spec["selector"]["matchLabels"].items() <= labels.items()
    (claim,) = spec["volumeClaimTemplates"]
    assert claim["spec"]["accessModes"] == ["ReadWriteOnce"]
    assert claim["spec"]["resources"]["requests"]["storage"]
    mounts = {m["name"]: m["mountPath"] for m in container()["volumeMounts"]}
    assert mounts[claim["metadata"]["name"]] == k8s_config()["data_dir"]
    governing = one("Service", spec["serviceName"])
    assert governing["spec"]["clusterIP"] == "None"


def test_probes_use_grpc_health_on_the_grpc_port():
    c = container()
    grpc_port = container_port("grpc")
    assert grpc_port == port(k8s_config()["grpc_address"])
    for probe in ("startupProbe", "readinessProbe", "livenessProbe"):
        assert c[probe]["grpc"]["port"] == grpc_port, probe
        assert set(c[probe]) & {"httpGet", "tcpSocket", "exec"} == set(), probe
    assert container_port("metrics") == port(k8s_config()["metrics_address"])
    assert container_port("http") == port(k8s_config()["http_address"])


def test_security_context_and_resources():
    pod = statefulset()["spec"]["template"]["spec"]
    c = container()
    assert pod["securityContext"]["runAsNonRoot"] is True
    assert c["securityContext"]["runAsNonRoot"] is True
    assert pod["securityContext"]["runAsUser"] != 0
    (user,) = final("USER")
    assert str(pod["securityContext"]["runAsUser"]) == user.split(":")[0]
    assert pod["securityContext"]["seccompProfile"]["type"] == "RuntimeDefault"
    assert c["securityContext"]["allowPrivilegeEscalation"] is False
    assert c["securityContext"]["readOnlyRootFilesystem"] is True
    assert c["securityContext"]["capabilities"]["drop"] == ["ALL"]
    for kind in ("requests", "limits"):
        assert {"cpu", "memory"} <= set(c["resources"][kind]), kind
    # SIGTERM grace: Kubernetes waits longer than the server's own grace.
    assert pod["terminationGracePeriodSeconds"] > k8s_config()["shutdown_grace_seconds"]


def test_config_secret_and_rules_are_mounted_where_the_config_says():
    c = container()
    cfg = k8s_config()
    mounts = {m["name"]: m["mountPath"] for m in c["volumeMounts"]}
    volumes = {v["name"]: v for v in statefulset()["spec"]["template"]["spec"]["volumes"]}
    (config_arg,) = [a for a in c["args"] if a.startswith("--config=")]
    config_path = config_arg.split("=", 1)[1]
    (config_vol,) = [n for n, v in volumes.items()
                     if v.get("configMap", {}).get("name") == "polku-config"]
    assert os.path.dirname(config_path) == mounts[config_vol]
    assert os.path.basename(config_path) in one("ConfigMap", "polku-config")["data"]
    secret = one("Secret")
    (secret_vol,) = [n for n, v in volumes.items()
                     if v.get("secret", {}).get("secretName") == secret["metadata"]["name"]]
    assert os.path.dirname(cfg["api_keys_file"]) == mounts[secret_vol]
    keys = json.loads(secret["stringData"][os.path.basename(cfg["api_keys_file"])])
    assert keys["version"] == 1 and isinstance(keys["keys"], list)
    assert cfg["rules_dir"] in mounts.values()
    assert cfg["dev_mode"] is False


def test_service_ports_and_selector():
    svc = one("Service", "polku")
    labels = statefulset()["spec"]["template"]["metadata"]["labels"]
    names = {p["name"] for p in container()["ports"]}
    for s in (svc, one("Service", "polku-headless")):
        assert s["spec"]["selector"].items() <= labels.items()
        for p in s["spec"]["ports"]:
            assert p["targetPort"] in names and p["port"] == container_port(p["targetPort"])
    assert {p["name"] for p in svc["spec"]["ports"]} == {"grpc", "http", "metrics"}


def test_service_monitor_selects_the_service_with_the_metrics_port():
    sm = one("ServiceMonitor")
    selector = sm["spec"]["selector"]["matchLabels"]
    matching = [o for o in OBJECTS if o["kind"] == "Service"
                and selector.items() <= o["metadata"]["labels"].items()]
    assert [s["metadata"]["name"] for s in matching] == ["polku"], \
        "exactly one Service is scraped (not the headless one as well)"
    (endpoint,) = sm["spec"]["endpoints"]
    assert endpoint["port"] in {p["name"] for p in matching[0]["spec"]["ports"]}
    assert endpoint["path"] == "/metrics"
    # The job label is the Service name; the alert rules expect "polku".
    assert matching[0]["metadata"]["name"] == "polku"
