"""Stack configuration, read once into typed objects and validated before any resource exists.

Every problem is reported as one ConfigError that names the offending key, so a bad stack
configuration stops `pulumi preview`/`up` before anything is created.
"""
from __future__ import annotations

import ipaddress
import os
import re
from dataclasses import dataclass
from typing import Any, Mapping, Optional

import pulumi

from components import host_keys
from components.names import PROJECT

HOST_KINDS = ("vagrant", "sandbox", "ssh")
# Vagrant providers the Vagrantfile defines: VirtualBox VMs, or containers where there is no
# VirtualBox (Vagrant's own docker provider).
VAGRANT_PROVIDERS = ("virtualbox", "docker")
# What holds the overlay's state: a key-value store (Consul, through the engines' cluster-store) or
# the engines' own swarm (raft among the engines; no external store).
CONTROL_PLANES = ("kv", "swarm")
# The cluster store (and with it the Consul-backed overlay) was removed in Docker Engine 23.0;
# 20.10 is the last line that has it.
SUPPORTED_ENGINE_LINE = "20.10"
# Swarm mode with attachable overlays works from 20.10 on; by default, the line of Debian trixie's
# docker.io (26.1.5), the sandbox-swarm hosts' engine.
SWARM_MINIMUM_ENGINE_LINE = (20, 10)
DEFAULT_ENGINE_LINE = {"kv": SUPPORTED_ENGINE_LINE, "swarm": "26.1"}
DEFAULT_CONSUL_IMAGE = "hashicorp/consul:1.8.7"
DEFAULT_PROBE_IMAGE = "busybox:1.36.1"
DEFAULT_SANDBOX_HOST_IMAGE = {"kv": "multihost/host:bullseye", "swarm": "multihost/host:trixie"}
# Interface each host kind advertises to the cluster: Vagrant's eth0 is the same NAT address on
# every VM, so its private network (eth1) is the one that reaches the other hosts.
DEFAULT_ADVERTISE_INTERFACE = {"vagrant": "eth1", "sandbox": "eth0", "ssh": "eth0"}
# Patterns are used with fullmatch only: `$` also matches before a trailing newline.
_HOSTNAME = re.compile(r"[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?")
_INTERFACE = re.compile(r"[A-Za-z0-9._-]{1,15}")
# A Docker image reference: [registry[:port]/]path[:tag][@digest], lowercase path components. No
# component starts with `-` (Docker's own grammar), so no reference reads as a `docker run` option.
_REGISTRY_PART = r"[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
_PATH_PART = r"[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*"
_IMAGE = re.compile(rf"(?:{_REGISTRY_PART}(?:\.{_REGISTRY_PART})*(?::[0-9]+)?/)?{_PATH_PART}(?:/{_PATH_PART})*"
                    r"(?::[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?(?:@sha256:[0-9a-f]{64})?")
# The portable POSIX user name (what useradd accepts by default), at most 32 characters.
_USER = re.compile(r"[a-z_][a-z0-9_-]*[$]?")
_USER_MAX = 32
# One label of a DNS name (RFC 1123), and a name's whole length.
_DNS_LABEL = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?")
_DNS_NAME_MAX = 253


class ConfigError(pulumi.RunError):
    """A stack setting is missing or wrong; the message starts with the key."""

    def __init__(self, key: str, message: str):
        super().__init__(f"{PROJECT}:{key}: {message}")
        self.key = key


@dataclass(frozen=True)
class SshSettings:
    """How the program reaches an existing machine (the `ssh` host kind)."""

    address: str
    """Address or DNS name sshd listens on; need not be the underlay address."""
    port: int
    user: str
    private_key_file: Optional[str]
    """Path of the private key on the machine running Pulumi (None: ssh-agent holds it)."""
    agent: bool = False
    """Authenticate through ssh-agent (SSH_AUTH_SOCK): no key material goes into the state."""
    host_key: Optional[str] = None
    """The machine's SSH host key (`TYPE BASE64`); None: the one seen at the first `up` is pinned."""


@dataclass(frozen=True)
class HostSettings:
    """One machine of the topology."""

    name: str
    """Resource name and the machine's hostname (engines must not share a hostname)."""
    address: str
    """Underlay address: where Consul, serf (7946) and VXLAN (4789) traffic goes."""
    advertise_interface: str
    """Interface the engine advertises to the cluster (`cluster-advertise=<iface>:2376`)."""
    ssh: Optional[SshSettings] = None


@dataclass(frozen=True)
class NetworkSettings:
    """The overlay network created across the engines."""

    name: str
    subnet: str
    encrypted: bool = False
    """IPsec (ESP) between hosts for the overlay's traffic (`--opt encrypted`, swarm mode only)."""

    @property
    def gateway(self) -> str:
        """The subnet's first address, which Docker picks anyway; given explicitly because a swarm
        reports it back, and a network written without it would differ after `pulumi refresh`."""
        return str(next(ipaddress.IPv4Network(self.subnet).hosts()))


@dataclass(frozen=True)
class ImageSettings:
    """Images run on the hosts' engines, and where they come from."""

    consul: str
    probe: str
    load_from: Optional[str]
    """A folder with `consul.tar` and `probe.tar` (`docker save` files) loaded onto each engine
    instead of pulling: for machines without a container registry."""

    @property
    def consul_archive(self) -> Optional[str]:
        return os.path.join(self.load_from, "consul.tar") if self.load_from else None

    @property
    def probe_archive(self) -> Optional[str]:
        return os.path.join(self.load_from, "probe.tar") if self.load_from else None


@dataclass(frozen=True)
class SandboxSettings:
    """Host containers on the local Docker engine (the `sandbox` host kind)."""

    host_image: str
    privileged: bool
    """False switches to an explicit capability set, for engines that cannot grant them all."""
    ssh_port_base: int
    """A host's sshd is published on 127.0.0.1:<ssh_port_base + its address's offset in hostNetwork>
    (172.28.128.5 in 172.28.128.0/24: +5): derived from the address, so that adding or removing a
    host moves no other host's port."""
    host_network: str = "172.28.128.0/24"

    def ssh_port(self, address: str) -> int:
        return self.ssh_port_base + address_offset(address, self.host_network)


def address_offset(address: str, network: str) -> int:
    """Where ADDRESS lies in NETWORK: 5 for 172.28.128.5 in 172.28.128.0/24."""
    return int(ipaddress.IPv4Address(address)) - int(ipaddress.IPv4Network(network).network_address)


@dataclass(frozen=True)
class VagrantSettings:
    """How the Vagrantfile's machines are made (the `vagrant` host kind)."""

    provider: str
    """`virtualbox` (VMs) or `docker` (containers running the sandbox host image)."""
    docker_image: str
    """The image of a machine under the docker provider (read by the Vagrantfile)."""


@dataclass(frozen=True)
class StackSettings:
    host_kind: str
    control_plane: str
    """`kv` (Consul and cluster-store, engines 20.10) or `swarm` (swarm mode, engines 20.10 and newer)."""
    host_network: str
    """The underlay CIDR all host addresses belong to."""
    keystore: Optional[HostSettings]
    """The Consul host (`kv` only: swarm mode needs no external store)."""
    engines: tuple[HostSettings, ...]
    engine_line: str
    """The Docker Engine line every host runs (`20.10`), or one release of it (`20.10.5`)."""
    network: NetworkSettings
    images: ImageSettings
    ping_count: int
    sandbox: SandboxSettings
    vagrant: VagrantSettings
    state_dir: str
    """Folder for files the program keeps on the machine running Pulumi (sandbox SSH key)."""
    firewall: bool = True
    """Each host's overlay ports accept only the stack's own hosts (components/peers_firewall.py)."""
    deprecations: tuple[str, ...] = ()
    """Settings that still work under an older name: what to write instead."""

    @property
    def hosts(self) -> tuple[HostSettings, ...]:
        return (self.keystore, *self.engines) if self.keystore else self.engines


def _require_mapping(key: str, value: Any) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise ConfigError(key, f"expected an object, got {value!r}")
    return value


def _network(key: str, value: Any) -> ipaddress.IPv4Network:
    try:
        return ipaddress.IPv4Network(str(value), strict=True)
    except ValueError as err:
        raise ConfigError(key, f"{value!r} is not an IPv4 CIDR such as 10.0.4.0/24 ({err})") from None


def check_engine_line(key: str, version: str, control_plane: str = "kv") -> str:
    """kv: accept `20.10` or `20.10.N`, refuse other lines (saying why for 23.0 and newer).
    swarm: accept any line from 20.10 on."""
    text = str(version)
    match = re.fullmatch(r"(\d+)\.(\d+)(?:\.(\d+))?", text)
    if not match:
        raise ConfigError(key, f"{version!r} is not a Docker Engine version such as 20.10 or 20.10.5")
    major, minor = int(match.group(1)), int(match.group(2))
    if control_plane == "swarm":
        if (major, minor) < SWARM_MINIMUM_ENGINE_LINE:
            raise ConfigError(key, f"Docker Engine {version} is too old for controlPlane swarm "
                                   f"(attachable overlays need 20.10 or newer)")
        return text
    if (major, minor) >= (23, 0):
        raise ConfigError(
            key,
            f"Docker Engine {version} cannot be used: 23.0 removed --cluster-store/--cluster-advertise, "
            f"which the Consul-backed overlay (controlPlane kv) needs. Use the {SUPPORTED_ENGINE_LINE} line, "
            f"or controlPlane swarm.",
        )
    if f"{major}.{minor}" != SUPPORTED_ENGINE_LINE:
        raise ConfigError(key, f"Docker Engine {version} is outside the pinned {SUPPORTED_ENGINE_LINE} line")
    return text


# Engines before these may send an encrypted overlay's VXLAN unencrypted, or accept it unauthenticated
# (CVE-2023-28840, CVE-2023-28841; GHSA-vwm3-crmr-xfxw). The hosts check the engine they run as well.
FIRST_SAFE_ENCRYPTED_RELEASE = {(20, 10): 24, (23, 0): 3}


def encryption_is_safe(engine_line: str) -> bool:
    """Whether every engine of `engine_line` (`20.10` or `20.10.24`) may carry an encrypted overlay:
    a whole line is, when it is newer than the affected ones (its hosts check their own release)."""
    major, minor, *patch = (int(part) for part in engine_line.split("."))
    first_safe = FIRST_SAFE_ENCRYPTED_RELEASE.get((major, minor))
    if (major, minor) < (20, 10):
        return False
    return first_safe is None or not patch or patch[0] >= first_safe


def check_host_key(key: str, value: Any) -> str:
    """A public key line as in known_hosts (`[HOST] TYPE BASE64 [COMMENT]`), as `TYPE BASE64`."""
    line = host_keys.key_of(value) if isinstance(value, str) and "\n" not in value else None
    if line is None:
        raise ConfigError(key, f"{value!r} is not an SSH public key line such as 'ssh-ed25519 AAAAC3Nza…' "
                               f"(as in known_hosts, or what ssh-keyscan prints)")
    return line


def check_image(key: str, value: Any) -> str:
    if not isinstance(value, str) or not _IMAGE.fullmatch(value):
        raise ConfigError(key, f"{value!r} is not a Docker image reference such as busybox:1.36.1")
    return value


def check_ssh_user(key: str, value: Any) -> str:
    """A portable POSIX user name: the tools pass it to ssh, and nothing in it may read as an option
    or as `user@host`."""
    if not isinstance(value, str) or len(value) > _USER_MAX or not _USER.fullmatch(value):
        raise ConfigError(key, f"{value!r} is not a user name (lowercase letters, digits, '_' and '-', "
                               f"not starting with a digit or '-', at most {_USER_MAX} characters)")
    return value


def _is_dns_name(value: str) -> bool:
    labels = value.split(".")
    # An all-digit last label would be read as a (partial) IPv4 address, not looked up.
    return (len(value) <= _DNS_NAME_MAX and all(_DNS_LABEL.fullmatch(label) for label in labels)
            and not labels[-1].isdigit())


def _is_ip_address(value: str) -> bool:
    try:
        address = ipaddress.ip_address(value)
    except ValueError:
        return False
    # ipaddress takes any text after `%` as an IPv6 zone: only an interface name is one.
    scope = getattr(address, "scope_id", None)
    return scope is None or bool(_INTERFACE.fullmatch(scope))


def check_ssh_address(key: str, value: Any) -> str:
    """A DNS name or an IPv4/IPv6 address: never an option (`-…`), `user@host` or `host:port`."""
    if not isinstance(value, str) or not (_is_ip_address(value) or _is_dns_name(value)):
        raise ConfigError(key, f"{value!r} is not a DNS name (letters, digits and '-' in dot-separated labels, "
                               f"at most {_DNS_NAME_MAX} characters) or an IP address")
    return value


def _empty_passphrase(env: Mapping[str, str]) -> bool:
    """The stack's secrets are encrypted with an empty passphrase (this project's default)."""
    return not env.get("PULUMI_CONFIG_PASSPHRASE_FILE") and env.get("PULUMI_CONFIG_PASSPHRASE") == ""


def _host(key: str, raw: Any, host_kind: str, underlay: ipaddress.IPv4Network,
          env: Mapping[str, str]) -> HostSettings:
    raw = _require_mapping(key, raw)
    name = raw.get("name")
    if not isinstance(name, str) or not _HOSTNAME.fullmatch(name):
        raise ConfigError(f"{key}.name", f"{name!r} is not a valid hostname (lowercase letters, digits, '-')")
    try:
        address = ipaddress.IPv4Address(str(raw.get("address")))
    except ValueError:
        raise ConfigError(f"{key}.address", f"{raw.get('address')!r} is not an IPv4 address") from None
    if address not in underlay or address in (underlay.network_address, underlay.broadcast_address):
        raise ConfigError(f"{key}.address", f"{address} is not a host address of hostNetwork {underlay}")
    interface = raw.get("advertiseInterface", DEFAULT_ADVERTISE_INTERFACE[host_kind])
    if not isinstance(interface, str) or not _INTERFACE.fullmatch(interface):
        raise ConfigError(f"{key}.advertiseInterface", f"{interface!r} is not an interface name")
    ssh = None
    if host_kind == "ssh":
        ssh_raw = _require_mapping(f"{key}.ssh", raw.get("ssh"))
        agent = ssh_raw.get("agent", bool(env.get("SSH_AUTH_SOCK")))
        if not isinstance(agent, bool):
            raise ConfigError(f"{key}.ssh.agent", f"{agent!r} is not true or false")
        if agent and not env.get("SSH_AUTH_SOCK"):
            raise ConfigError(f"{key}.ssh.agent", "is true but SSH_AUTH_SOCK is not set: start ssh-agent and "
                                                  "ssh-add the machine's key, or set ssh.agent to false")
        key_file = ssh_raw.get("privateKeyFile")
        if (key_file is not None or not agent) and (
                not isinstance(key_file, str) or not os.path.isfile(os.path.expanduser(key_file))):
            raise ConfigError(f"{key}.ssh.privateKeyFile", f"{key_file!r} is not a readable file")
        if not agent and _empty_passphrase(env):
            raise ConfigError(f"{key}.ssh.privateKeyFile",
                              "this machine's private key would be kept in the stack's state under an empty "
                              "passphrase: put a passphrase in a file and set PULUMI_CONFIG_PASSPHRASE_FILE to it "
                              "before the stack's first up, or authenticate through ssh-agent (ssh.agent: true)")
        port = ssh_raw.get("port", 22)
        if not isinstance(port, int) or isinstance(port, bool) or not 0 < port < 65536:
            raise ConfigError(f"{key}.ssh.port", f"{port!r} is not a TCP port")
        ssh = SshSettings(
            address=check_ssh_address(f"{key}.ssh.address", ssh_raw.get("address", str(address))),
            port=port,
            user=check_ssh_user(f"{key}.ssh.user", ssh_raw.get("user", "root")),
            private_key_file=os.path.expanduser(key_file) if key_file else None,
            agent=agent,
            host_key=check_host_key(f"{key}.ssh.hostKey", ssh_raw["hostKey"]) if "hostKey" in ssh_raw else None,
        )
    return HostSettings(name=name, address=str(address), advertise_interface=interface, ssh=ssh)


def parse_settings(raw: Mapping[str, Any], project_dir: str, stack: str,
                   env: Optional[Mapping[str, str]] = None) -> StackSettings:
    """Validate raw configuration values (already JSON-decoded) into StackSettings; `env` (this
    process's environment by default) says whether ssh-agent runs and how secrets are encrypted."""
    env = os.environ if env is None else env
    host_kind = raw.get("hostKind", "vagrant")
    if host_kind not in HOST_KINDS:
        raise ConfigError("hostKind", f"{host_kind!r} is not one of {', '.join(HOST_KINDS)}")

    control_plane = raw.get("controlPlane", "kv")
    if control_plane not in CONTROL_PLANES:
        raise ConfigError("controlPlane", f"{control_plane!r} is not one of {', '.join(CONTROL_PLANES)}")

    underlay = _network("hostNetwork", raw.get("hostNetwork", "172.28.128.0/24"))
    keystore = None
    if control_plane == "kv":
        if "keystore" not in raw:
            raise ConfigError("keystore", "missing: the host that runs Consul, e.g. {name: mh-keystore, address: 172.28.128.5}")
        keystore = _host("keystore", raw["keystore"], host_kind, underlay, env)
    elif "keystore" in raw:
        raise ConfigError("keystore", "controlPlane swarm has no key-value store: remove keystore "
                                      "(the first engine is the swarm manager)")
    engines_raw = raw.get("engines")
    if not isinstance(engines_raw, list) or len(engines_raw) < 2:
        raise ConfigError("engines", "at least two engine hosts are needed for a multi-host overlay")
    engines = tuple(_host(f"engines[{i}]", e, host_kind, underlay, env) for i, e in enumerate(engines_raw))

    hosts = (keystore, *engines) if keystore else engines
    keys = (["keystore"] if keystore else []) + [f"engines[{i}]" for i in range(len(engines))]
    for field in ("name", "address"):
        seen: dict[str, str] = {}
        for key, host in zip(keys, hosts):
            value = getattr(host, field)
            if value in seen:
                raise ConfigError(f"{key}.{field}", f"{value} is also used by {seen[value]}: every host needs its own {field}")
            seen[value] = key

    network_raw = _require_mapping("network", raw.get("network", {}))
    network_name = network_raw.get("name", "my-net")
    if not isinstance(network_name, str) or not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.-]*", network_name):
        raise ConfigError("network.name", f"{network_name!r} is not a Docker network name")
    subnet = _network("network.subnet", network_raw.get("subnet", "10.0.4.0/24"))
    if subnet.overlaps(underlay):
        raise ConfigError("network.subnet", f"{subnet} overlaps hostNetwork {underlay}: overlay and underlay must differ")
    # The gateway takes the first host address and each engine's probe one more, besides the network
    # and broadcast addresses; a /31 or /32 is counted as having none left. In swarm mode every
    # engine on the network also holds a load-balancer endpoint with an address of its own.
    per_engine = 2 if control_plane == "swarm" else 1
    needed = 1 + per_engine * len(engines)
    usable = subnet.num_addresses - 2 if subnet.prefixlen <= 30 else 0
    if usable < needed:
        what = "one per probe and one per engine's load balancer" if per_engine == 2 else "one per probe"
        raise ConfigError("network.subnet", f"{subnet} has {usable} usable addresses; the overlay needs {needed}: "
                                            f"its gateway and {what} ({len(engines)} engines)")
    encrypted = network_raw.get("encrypted", False)
    if not isinstance(encrypted, bool):
        raise ConfigError("network.encrypted", f"{encrypted!r} is not true or false")
    if encrypted and control_plane != "swarm":
        raise ConfigError("network.encrypted", "an encrypted overlay needs controlPlane swarm "
                                               "(the cluster-store overlay has no encryption)")

    deprecations = []
    engine_key = "engineLine"
    if "engineVersion" in raw:
        if "engineLine" in raw:
            raise ConfigError("engineVersion", "is the old name of engineLine: give only engineLine")
        engine_key = "engineVersion"
        deprecations.append(f"{PROJECT}:engineVersion is now called engineLine; engineVersion still works")
    engine_line = check_engine_line(engine_key, raw.get(engine_key, DEFAULT_ENGINE_LINE[control_plane]), control_plane)
    if encrypted and not encryption_is_safe(engine_line):
        raise ConfigError(engine_key, f"Docker Engine {engine_line} can send or accept an encrypted overlay's VXLAN "
                                      f"unencrypted (CVE-2023-28840, CVE-2023-28841): network.encrypted needs "
                                      f"20.10.24 or newer, or 23.0.3 or newer on the 23.0 line")

    images_raw = _require_mapping("images", raw.get("images", {}))
    load_from = images_raw.get("loadFrom")
    if load_from is not None:
        load_from = os.path.normpath(os.path.join(project_dir, str(load_from)))
    images = ImageSettings(
        consul=check_image("images.consul", images_raw.get("consul", DEFAULT_CONSUL_IMAGE)),
        probe=check_image("images.probe", images_raw.get("probe", DEFAULT_PROBE_IMAGE)),
        load_from=load_from,
    )
    # Swarm mode runs no Consul: only the probe image is needed.
    archives = (images.consul_archive, images.probe_archive) if control_plane == "kv" else (images.probe_archive,)
    for archive in filter(None, archives):
        if not os.path.isfile(archive):
            raise ConfigError("images.loadFrom", f"{archive} does not exist (make images builds it)")

    ping_count = raw.get("pingCount", 3)
    if not isinstance(ping_count, int) or isinstance(ping_count, bool) or not 1 <= ping_count <= 100:
        raise ConfigError("pingCount", f"{ping_count!r} is not a whole number from 1 to 100")

    sandbox_raw = _require_mapping("sandbox", raw.get("sandbox", {}))
    privileged = sandbox_raw.get("privileged", True)
    if not isinstance(privileged, bool):
        raise ConfigError("sandbox.privileged", f"{privileged!r} is not true or false")
    port_base = sandbox_raw.get("sshPortBase", 2200)
    # Each host publishes on base + its address's offset in the underlay: all unprivileged TCP ports.
    top = max(address_offset(host.address, str(underlay)) for host in hosts)
    if (not isinstance(port_base, int) or isinstance(port_base, bool)
            or not 1024 <= port_base <= 65535 - top):
        raise ConfigError("sandbox.sshPortBase", f"{port_base!r} is not a port range start: the hosts use base + their "
                                                 f"address's offset in {underlay} (up to base+{top}), which must lie "
                                                 f"in 1024–65535")
    sandbox = SandboxSettings(
        host_image=check_image("sandbox.hostImage",
                               sandbox_raw.get("hostImage", DEFAULT_SANDBOX_HOST_IMAGE[control_plane])),
        privileged=privileged,
        ssh_port_base=port_base,
        host_network=str(underlay),
    )

    firewall = raw.get("firewall", True)
    if not isinstance(firewall, bool):
        raise ConfigError("firewall", f"{firewall!r} is not true or false")

    vagrant_raw = _require_mapping("vagrant", raw.get("vagrant", {}))
    provider = vagrant_raw.get("provider", "virtualbox")
    if provider not in VAGRANT_PROVIDERS:
        raise ConfigError("vagrant.provider", f"{provider!r} is not one of {', '.join(VAGRANT_PROVIDERS)}")
    vagrant = VagrantSettings(
        provider=provider,
        docker_image=check_image("vagrant.dockerImage", vagrant_raw.get("dockerImage", DEFAULT_SANDBOX_HOST_IMAGE["kv"])),
    )

    return StackSettings(
        host_kind=host_kind,
        control_plane=control_plane,
        host_network=str(underlay),
        keystore=keystore,
        engines=engines,
        engine_line=engine_line,
        network=NetworkSettings(name=network_name, subnet=str(subnet), encrypted=encrypted),
        images=images,
        ping_count=ping_count,
        sandbox=sandbox,
        vagrant=vagrant,
        state_dir=os.path.join(project_dir, ".sandbox", stack),
        firewall=firewall,
        deprecations=tuple(deprecations),
    )


STRING_KEYS = ("hostKind", "controlPlane", "hostNetwork", "engineLine", "engineVersion")
JSON_KEYS = ("keystore", "engines", "network", "images", "pingCount", "sandbox", "vagrant", "firewall")


def load_settings(config: pulumi.Config | None = None) -> StackSettings:
    """Read the stack's configuration once, from Pulumi config, into StackSettings."""
    config = config or pulumi.Config(PROJECT)
    raw: dict[str, Any] = {}
    for key in STRING_KEYS + JSON_KEYS:
        try:
            value = config.get(key) if key in STRING_KEYS else config.get_object(key)
        except ValueError as err:
            raise ConfigError(key, f"not valid JSON/YAML structure ({err})") from None
        if value is not None:
            raw[key] = value
    project_dir = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    settings = parse_settings(raw, project_dir, pulumi.get_stack())
    for deprecation in settings.deprecations:
        pulumi.log.warn(deprecation)
    return settings
