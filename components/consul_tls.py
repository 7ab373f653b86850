"""The stack's own certificate authority for Consul (kv mode): a server certificate for Consul, a
client certificate per engine and one for the tools, so that Consul answers only the stack's own
engines and tools (mutual TLS).

The certificates are made with openssl on the machine running Pulumi (host_scripts/local/): it is
on every such machine, and pulumi-tls's provider cannot be built here (the Go module proxy serves
no Pulumi providers). As pulumi-tls would, the private keys live in the stack's state as secrets
(encrypted under its passphrase), go to the hosts inside their command's secret stdin, and are
never printed."""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Optional, Sequence

import pulumi
import pulumi_command as command

from components import host_scripts

_PEM_BLOCK = re.compile(r"-----BEGIN ([A-Z ]+)-----\n.*?\n-----END \1-----", re.S)


def pem_blocks(text: str) -> list[str]:
    """The PEM blocks of `text`, in order, each with its final newline (make-ca.sh and issue-cert.sh
    print certificate, then key; pulumi-command's stdout has lost the last newline)."""
    return [match.group(0) + "\n" for match in _PEM_BLOCK.finditer(text)]


@dataclass
class Certificate:
    cert: pulumi.Output[str]
    """The certificate (PEM)."""
    key: pulumi.Output[str]
    """Its private key (PEM), a secret."""


def _secret_local_command(name: str, script: str, settings: dict, parent: pulumi.Resource) -> command.local.Command:
    """A local command that prints key material: its stdout is a secret in the state and never shown."""
    return command.local.Command(
        name,
        create=host_scripts.stdin_command(script),
        stdin=host_scripts.render_output(script, settings),
        logging=command.local.Logging.NONE,
        opts=pulumi.ResourceOptions(parent=parent, additional_secret_outputs=["stdout"]),
    )


@dataclass
class ConsulTlsArgs:
    server_addresses: Sequence[str]
    """Where clients reach Consul: its underlay address (the engines) and 127.0.0.1 (the tools,
    through an SSH tunnel to the keystore host)."""
    clients: Sequence[str]
    """One client certificate for each of these names (the engines' hosts)."""


class ConsulTls(pulumi.ComponentResource):
    ca_cert: pulumi.Output[str]
    """The CA's certificate, which every side of a connection to Consul checks the other against."""
    server: Certificate
    clients: dict[str, Certificate]
    """Per engine host name."""
    tools: Certificate
    """What `make inspect` (ops/) presents to Consul."""

    def __init__(self, name: str, args: ConsulTlsArgs, opts: Optional[pulumi.ResourceOptions] = None):
        super().__init__("multihost:index:ConsulTls", name, None, opts)
        ca = _secret_local_command(f"{name}-ca", "local/make-ca", {"NAME": f"docker-multihost {pulumi.get_stack()} CA"},
                                   self)
        # The CA's certificate is public: only its key is kept secret.
        self.ca_cert = pulumi.Output.unsecret(ca.stdout.apply(lambda out: pem_blocks(out)[0]))

        def issue(cert_name: str, common_name: str, usage: str, san: str = "") -> Certificate:
            made = _secret_local_command(f"{name}-{cert_name}", "local/issue-cert",
                                         {"CA": ca.stdout, "NAME": common_name, "USAGE": usage, "SAN": san}, self)
            blocks = made.stdout.apply(pem_blocks)
            return Certificate(cert=pulumi.Output.unsecret(blocks.apply(lambda b: b[0])),
                               key=pulumi.Output.secret(blocks.apply(lambda b: b[1])))

        self.server = issue("consul", "consul", "serverAuth",
                            ",".join(f"IP:{address}" for address in args.server_addresses))
        self.clients = {client: issue(f"client-{client}", client, "clientAuth") for client in args.clients}
        self.tools = issue("tools", "docker-multihost tools", "clientAuth")
        self.register_outputs({"caCert": self.ca_cert})
