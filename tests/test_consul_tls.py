"""The TLS scripts for real, with openssl: a host makes its own key and a request, the stack's CA
signs it on the machine running Pulumi, and no private key is ever printed (what is printed is
what the stack's state holds)."""
from __future__ import annotations

import os
import stat
import subprocess
from pathlib import Path

import pytest

from components import host_scripts

STACK_ID = "0123456789ab"


def run(script: str, env: dict, **settings: str) -> subprocess.CompletedProcess:
    return subprocess.run(["sh", "-c", host_scripts.render(script, settings)], capture_output=True, text=True,
                          env={**os.environ, **env}, timeout=60)


@pytest.fixture
def ca(tmp_path) -> dict:
    """The stack's CA, made in a folder of this machine's (ConsulTls's files)."""
    files = {"CA_CERT": str(tmp_path / "tls" / "ca.pem"), "CA_KEY": str(tmp_path / "tls" / "ca-key.pem")}
    made = run("local/make-ca", {}, **files, NAME="test CA")
    assert made.returncode == 0, made.stderr
    return {**files, "printed": made.stdout}


@pytest.fixture
def host(tmp_path) -> dict:
    """A host's environment: its records (the stack's folder) under tmp_path."""
    return {"RECORD_ROOT": str(tmp_path / "host")}


def request(host: dict, name: str = "mhs-demo0") -> subprocess.CompletedProcess:
    return run("request-certificate", host, STACK_ID=STACK_ID, ROLE="engine", NAME=name)


def sign(ca: dict, text: str, name: str = "mhs-demo0") -> subprocess.CompletedProcess:
    return run("local/sign-certificate", {}, CA_CERT=ca["CA_CERT"], CA_KEY=ca["CA_KEY"], REQUEST=text, NAME=name,
               USAGE="clientAuth", SAN="")


def host_key(host: dict) -> Path:
    return Path(host["RECORD_ROOT"]) / STACK_ID / "tls-engine" / "key.pem"


def mode(path: str | Path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def test_nothing_the_tls_scripts_print_holds_a_private_key(ca, host, tmp_path):
    asked = request(host)
    signed = sign(ca, asked.stdout)
    tools = run("local/make-tools-certificate", {}, CA_CERT=ca["CA_CERT"], CA_KEY=ca["CA_KEY"],
                CERT=str(tmp_path / "tls" / "tools.pem"), KEY=str(tmp_path / "tls" / "tools-key.pem"), NAME="tools")
    printed = [ca["printed"], asked.stdout, signed.stdout, tools.stdout]
    assert all(text.startswith("-----BEGIN CERTIFICATE") for text in printed) and \
        not [text for text in printed if "PRIVATE KEY" in text]


def test_a_hosts_key_is_readable_by_root_only(host):
    assert request(host).returncode == 0
    assert (mode(host_key(host)), mode(host_key(host).parent)) == (0o600, 0o700)


def test_the_cas_key_is_readable_by_this_user_only(ca):
    assert (mode(ca["CA_KEY"]), mode(os.path.dirname(ca["CA_KEY"]))) == (0o600, 0o700)


def test_a_hosts_key_is_made_once(host):
    request(host)
    first = host_key(host).read_text()
    assert request(host).returncode == 0 and host_key(host).read_text() == first


def test_a_signed_certificate_is_for_the_hosts_own_key_and_the_stacks_ca(ca, host, tmp_path):
    cert = tmp_path / "cert.pem"
    cert.write_text(sign(ca, request(host).stdout).stdout)
    verified = subprocess.run(["openssl", "verify", "-CAfile", ca["CA_CERT"], str(cert)], capture_output=True, text=True)
    public = [subprocess.run(["openssl", *args], capture_output=True, text=True).stdout
              for args in (["x509", "-in", str(cert), "-noout", "-pubkey"], ["pkey", "-in", str(host_key(host)), "-pubout"])]
    assert verified.returncode == 0 and public[0] == public[1]


def test_a_request_for_another_name_is_refused(ca, host):
    refused = sign(ca, request(host, "mhs-demo0").stdout, name="mhs-demo1")
    assert refused.returncode == 1 and "the certificate request for mhs-demo1 is for CN=mhs-demo0" in refused.stderr


def test_signing_without_the_cas_key_says_where_it_is_looked_for(ca, host):
    os.remove(ca["CA_KEY"])
    refused = sign(ca, request(host).stdout)
    assert refused.returncode == 1 and f"no CA key at {ca['CA_KEY']}" in refused.stderr


def test_the_ca_is_made_once(ca):
    assert run("local/make-ca", {}, CA_CERT=ca["CA_CERT"], CA_KEY=ca["CA_KEY"], NAME="test CA").stdout == ca["printed"]


def test_forgetting_a_hosts_certificate_leaves_no_folder_of_the_stack(host):
    request(host)
    assert run("forget-certificate", host, STACK_ID=STACK_ID, ROLE="engine").returncode == 0
    assert not Path(host["RECORD_ROOT"]).exists()
