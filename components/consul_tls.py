"""The stack's own certificate authority for Consul (kv mode): a server certificate for Consul, a
client certificate per engine and one for the tools, so that Consul answers only the stack's own
engines and tools (mutual TLS).

No private key is in the stack's state. Each host makes its own key and sends a certificate request
(host_scripts/request-certificate.sh); the CA, whose key stays in a folder of this machine's user
(`.sandbox/STACK/tls/`), signs it here; only certificates, which are public, are in the state. With
openssl on both sides (host_scripts/local/): it is on every such machine, and pulumi-tls's provider
cannot be built here (the Go module proxy serves no Pulumi providers); pulumi-tls would also keep
every private key in the state."""
from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Mapping, Optional, Sequence

import pulumi
import pulumi_command as command

from components import host_scripts
from components.host import Host

CONSUL_COMMON_NAME = "consul"
TOOLS_COMMON_NAME = "docker-multihost tools"


@dataclass
class ConsulTlsArgs:
    folder: str
    """Where the CA's key and certificate and the tools' key and certificate are kept on this
    machine, for its user only (`.sandbox/STACK/tls`)."""
    server: Host
    """The keystore's host: it makes Consul's key."""
    server_addresses: Sequence[str]
    """Where clients reach Consul: its underlay address (the engines) and 127.0.0.1 (the tools,
    through an SSH tunnel to the keystore host)."""
    clients: Sequence[Host]
    """One client certificate for each of these hosts (the engines'), for its own key."""


class ConsulTls(pulumi.ComponentResource):
    ca_cert: pulumi.Output[str]
    """The CA's certificate, which every side of a connection to Consul checks the other against."""
    server_cert: pulumi.Output[str]
    """Consul's certificate, for the key on the keystore host."""
    client_certs: dict[str, pulumi.Output[str]]
    """Per engine host name: its certificate, for the key on that host."""
    tools_files: dict[str, str]
    """What `make inspect` (ops/) presents to Consul: files `ca`, `cert`, `key` on this machine."""

    def __init__(self, name: str, args: ConsulTlsArgs, opts: Optional[pulumi.ResourceOptions] = None):
        super().__init__("multihost:index:ConsulTls", name, None, opts)
        ca_files = {"CA_CERT": os.path.join(args.folder, "ca.pem"), "CA_KEY": os.path.join(args.folder, "ca-key.pem")}
        ca = self._local(f"{name}-ca", "local/make-ca", {**ca_files, "NAME": f"docker-multihost {pulumi.get_stack()} CA"},
                         delete_script="local/forget-ca", delete_settings=ca_files)
        self.ca_cert = ca.stdout

        def certificate(cert_name: str, host: Host, role: str, common_name: str, usage: str,
                        san: str = "") -> pulumi.Output[str]:
            request = host.run(f"{name}-{cert_name}-request", "request-certificate",
                               {"ROLE": role, "NAME": common_name}, parent=self, depends_on=[host],
                               delete_script="forget-certificate", delete_settings={"ROLE": role})
            # A new CA signs again.
            signed = self._local(f"{name}-{cert_name}", "local/sign-certificate",
                                 {**ca_files, "REQUEST": request.stdout, "NAME": common_name, "USAGE": usage, "SAN": san},
                                 triggers=[ca.stdout])
            return signed.stdout

        self.server_cert = certificate("consul", args.server, "consul", CONSUL_COMMON_NAME, "serverAuth",
                                       ",".join(f"IP:{address}" for address in args.server_addresses))
        self.client_certs = {host.name: certificate(f"client-{host.name}", host, "engine", host.name, "clientAuth")
                             for host in args.clients}
        self.tools_files = {"ca": ca_files["CA_CERT"], "cert": os.path.join(args.folder, "tools.pem"),
                            "key": os.path.join(args.folder, "tools-key.pem")}
        tools_settings = {**ca_files, "CERT": self.tools_files["cert"], "KEY": self.tools_files["key"]}
        self._local(f"{name}-tools", "local/make-tools-certificate", {**tools_settings, "NAME": TOOLS_COMMON_NAME},
                    triggers=[ca.stdout], delete_script="local/forget-tools-certificate", delete_settings=tools_settings)
        self.register_outputs({"caCert": self.ca_cert})

    def _local(self, name: str, script: str, settings: Mapping[str, pulumi.Input[str]],
               triggers: Sequence[pulumi.Input[str]] = (), delete_script: Optional[str] = None,
               delete_settings: Optional[Mapping[str, str]] = None) -> command.local.Command:
        """A script of host_scripts/local/ run on this machine. Only its errors are shown: what it
        prints is a certificate. A replacement undoes the old before the new (one set of files)."""
        return command.local.Command(
            name,
            create=host_scripts.stdin_command(script),
            stdin=host_scripts.render_output(script, settings),
            delete=host_scripts.render(delete_script, delete_settings or {}) if delete_script else None,
            triggers=list(triggers) or None,
            logging=command.local.Logging.STDERR,
            opts=pulumi.ResourceOptions(parent=self, delete_before_replace=True),
        )
