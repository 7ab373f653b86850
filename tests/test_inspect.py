"""`make inspect` reads the keystore with py-consul. Here py-consul talks HTTP to a loopback server
that replays answers recorded from a real sandbox keystore; `make e2e` runs it against Consul."""
from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlparse

import pytest

from conftest import ROOT
from ops import inspect

RECORDED = {
    "/v1/kv/docker/nodes/": ROOT / "tests/data/consul/kv-docker-nodes.json",
    "/v1/kv/docker/network/v1.0/network/": ROOT / "tests/data/consul/kv-docker-network.json",
}


class Replay(BaseHTTPRequestHandler):
    def do_GET(self):
        recorded = RECORDED.get(urlparse(self.path).path)
        body = recorded.read_bytes() if recorded else b""
        self.send_response(200 if recorded else 404)
        self.send_header("Content-Type", "application/json")
        self.send_header("X-Consul-Index", "1")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def keystore_url():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Replay)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"consul://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def test_lists_registered_engines_and_overlay_networks(keystore_url, capsys):
    assert inspect.main([keystore_url]) == 0
    out = capsys.readouterr().out
    assert "Engines registered in" in out and "(2):" in out
    assert "172.28.128.6:2376" in out and "172.28.128.7:2376" in out
    assert "my-net" in out and "overlay" in out and "10.0.4.0/24" in out


def test_json_output(keystore_url, capsys):
    inspect.main([keystore_url, "--json"])
    import json
    contents = json.loads(capsys.readouterr().out)
    assert contents["engines"] == ["172.28.128.6:2376", "172.28.128.7:2376"]
    (network,) = contents["networks"]
    assert (network["name"], network["driver"], network["subnets"]) == ("my-net", "overlay", ["10.0.4.0/24"])


def test_rejects_a_url_that_is_not_consul(capsys):
    with pytest.raises(SystemExit):
        inspect.main(["http:/nohost"])
    assert "is not consul://HOST:PORT" in capsys.readouterr().err


def test_a_keystore_that_does_not_answer_is_one_line_and_exit_1(capsys):
    import socket
    with socket.socket() as probe:  # a loopback port with nothing listening
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    assert inspect.main([f"consul://127.0.0.1:{port}"]) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"inspect: the keystore at consul://127.0.0.1:{port} does not answer (ConnectionError")
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err


def test_a_stack_that_is_not_up_is_one_line_and_exit_1(capsys, tmp_path, monkeypatch):
    pulumi = tmp_path / "pulumi"  # a stand-in CLI answering as `pulumi stack output` does for no stack
    pulumi.write_text("#!/bin/sh\necho \"error: no stack named 'nowhere' found\" >&2\nexit 255\n")
    pulumi.chmod(0o755)
    monkeypatch.setenv("PATH", f"{tmp_path}:/usr/bin:/bin")
    assert inspect.main(["--stack", "nowhere"]) == 1
    err = capsys.readouterr().err
    assert err.strip() == ("inspect: stack 'nowhere' cannot be read (error: no stack named 'nowhere' found): "
                           "is it up? (make up STACK=nowhere)")
