"""deploy/systemd: systemd-analyze accepts the unit and rates its sandbox
at most 2.5 ("OK"); the user it runs as comes from the sysusers file."""
import os
import re
import tempfile

from deploylib import binary, deploy_path, run

UNIT = deploy_path("systemd", "polku.service")
SYSUSERS = deploy_path("systemd", "polku.sysusers.conf")
MAX_EXPOSURE = 2.5


def directives():
    """[(section, key, value)] in file order (keys may repeat)."""
    out, section = [], None
    with open(UNIT) as f:
        for line in f:
            line = line.strip()
            if not line or line.startswith(("#", ";")):
                continue
            if line.startswith("["):
                section = line.strip("[]")
                continue
            key, _, value = line.partition("=")
            out.append((section, key.strip(), value.strip()))
    return out


def service(key):
    return [v for s, k, v in directives() if s == "Service" and k == key]


def test_systemd_analyze_verify():
    # The binary is not installed here: verify a copy whose ExecStart names
    # the built one; everything else is the shipped unit.
    with open(UNIT) as f:
        text = f.read()
    assert "ExecStart=/usr/bin/polku-server " in text
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "polku.service")
        with open(path, "w") as f:
            f.write(text.replace("/usr/bin/polku-server", binary("polku-server")))
        result = run(["systemd-analyze", "verify", "--man=no", path])
        output = result.stdout + result.stderr
        assert result.returncode == 0, output
        assert "polku.service" not in output, output


def test_security_exposure_at_most_2_5():
    result = run(["systemd-analyze", "security", "--offline=true", "--no-pager", UNIT])
    output = result.stdout + result.stderr
    match = re.search(r"Overall exposure level for polku\.service: (\d+(?:\.\d+)?)", output)
    assert match, output
    assert float(match.group(1)) <= MAX_EXPOSURE, output


def test_sandbox_directives():
    user = service("User")
    assert user == ["polku"] and service("Group") == ["polku"]
    assert service("StateDirectory") == ["polku"]
    assert service("ProtectSystem") == ["strict"]
    assert service("NoNewPrivileges") == ["yes"]
    assert service("CapabilityBoundingSet") == [""]
    assert "@system-service" in service("SystemCallFilter")
    assert set(service("RestrictAddressFamilies")[0].split()) == {"AF_INET", "AF_INET6", "AF_UNIX"}
    assert service("ExecStart")[0].endswith("--config=/etc/polku/polku.yaml")
    assert "-HUP" in service("ExecReload")[0]
    # The stop timeout leaves room for the server's grace period.
    assert int(service("TimeoutStopSec")[0]) > 10


def test_sysusers_creates_the_service_user():
    with open(SYSUSERS) as f:
        entries = [l.split() for l in f if l.strip() and not l.startswith("#")]
    assert [(e[0], e[1]) for e in entries] == [("u", "polku")]
    result = run(["systemd-sysusers", "--dry-run", SYSUSERS])
    assert result.returncode == 0, result.stdout + result.stderr
