# hyperlocal shim mode, Python side. Python imports this file at start when its directory is on
# PYTHONPATH (the runtime sets PYTHONPATH=<this dir>). Every outgoing connection is decided by
# hyperlocal over loopback HTTP (HYPERLOCAL_NET_URL + /connect, /close, /lookup) and the answer is
# obeyed: connect to the local endpoint standing in for the destination, drop (ETIMEDOUT after
# afterMs), unreachable, refuse.
#
# FAIL CLOSED: an address this file does not understand, or a decision that fails, times out or
# makes no sense, refuses the connection; the original destination never reaches the network.
#
# Start-up stays cheap: nothing is imported here beyond what `site` already loaded. `socket` and
# asyncio are patched by an import hook when the function's code first imports them (at once if
# they are already loaded); json is imported on the first decision.
# See README.md beside this file for what is caught, the blind spots and the protocol.
import sys
import os

_TIMEOUT_DEFAULT = 2.0
_MAX_DROP_MS = 15 * 60 * 1000
_MSG_FASTOPEN = 0x20000000


class _Config:
    loaded = False
    error = None
    host = None
    port = 0
    base = ""
    timeout = _TIMEOUT_DEFAULT
    head = b""
    # hyperlocal's own server port(s): function code reaches hyperlocal only through its own listener.
    deny_ports = frozenset()


_cfg = _Config()


def _config():
    """Read on first use (a prewarmed spare learns its environment after start)."""
    if not _cfg.loaded:
        _read_config()
        _cfg.loaded = True
    return _cfg


def _reconfigure():
    """For a runtime that sets the environment after start: re-read it and print the notice."""
    _cfg.loaded = False
    _cfg.error = None
    _cfg.timeout = _TIMEOUT_DEFAULT
    _apply_aws_endpoints()
    _print_notice()


def _read_config():
    env = os.environ
    url = env.get("HYPERLOCAL_NET_URL")
    token = env.get("HYPERLOCAL_NET_TOKEN")
    t = env.get("HYPERLOCAL_NET_TIMEOUT_MS")
    deny = set()
    for p in (env.get("HYPERLOCAL_NET_DENY_PORTS") or "").split(","):
        if p.strip().isdigit() and 0 < int(p) < 65536:
            deny.add(int(p))
    _cfg.deny_ports = frozenset(deny)
    if t:
        try:
            v = float(t)
            if v > 0:
                _cfg.timeout = v / 1000.0
        except ValueError:
            pass
    if not url:
        _cfg.error = "HYPERLOCAL_NET_URL is not set, so no connection can be decided"
        return
    rest = url[7:] if url.startswith("http://") else None
    if rest is None:
        _cfg.error = "HYPERLOCAL_NET_URL must be http:// on a loopback address, not %s" % url
        return
    slash = rest.find("/")
    hostport, path = (rest, "") if slash < 0 else (rest[:slash], rest[slash:])
    if hostport.startswith("["):
        end = hostport.find("]")
        host, port = hostport[1:end], hostport[end + 2:]
    else:
        host, _, port = hostport.partition(":")
    try:
        port = int(port or 80)
    except ValueError:
        port = -1
    if host == "localhost":
        host = "127.0.0.1"
    if not (0 < port < 65536) or _ip_family(host) == 0 or not _is_local(host):
        _cfg.error = "HYPERLOCAL_NET_URL must be http:// on a loopback address, not %s" % url
        return
    _cfg.host, _cfg.port, _cfg.base = host, port, path.rstrip("/")
    head = "Host: %s\r\nContent-Type: application/json\r\nConnection: close\r\n" % hostport
    if token:
        head += "x-hyperlocal-net-token: %s\r\n" % "".join(c for c in token if " " <= c <= "~")
    _cfg.head = head.encode("latin-1")


# ---------- addresses (no ipaddress import: _socket.inet_pton does it) ----------

def _ip_family(host):
    import _socket
    try:
        _socket.inet_pton(_socket.AF_INET, host)
        return 4
    except (OSError, TypeError, ValueError):
        pass
    try:
        _socket.inet_pton(_socket.AF_INET6, host.split("%", 1)[0])
        return 6
    except (OSError, TypeError, ValueError, AttributeError):
        return 0


def _is_local(host):
    """127.0.0.0/8, ::1, v4-mapped loopback, and the unspecified addresses (this host)."""
    import _socket
    try:
        p = _socket.inet_pton(_socket.AF_INET, host)
        return p[0] == 127 or p == b"\0\0\0\0"
    except (OSError, TypeError, ValueError):
        pass
    try:
        p = _socket.inet_pton(_socket.AF_INET6, host.split("%", 1)[0])
    except (OSError, TypeError, ValueError, AttributeError):
        return False
    if p[:15] == b"\0" * 15 and p[15] in (0, 1):
        return True
    return p[:12] == b"\0" * 10 + b"\xff\xff" and (p[12] == 127 or p[12:] == b"\0\0\0\0")


def _is_localhost_name(name):
    n = name.lower().rstrip(".")
    return n == "localhost" or n.endswith(".localhost")


# ---------- the decision client: one short HTTP/1.1 exchange per question ----------

class _DecisionError(Exception):
    pass


def _post(path, payload):
    """POST JSON, return the decoded JSON object; _DecisionError on any failure."""
    import _socket
    import json
    import time
    _config()
    if _cfg.error:
        raise _DecisionError(_cfg.error)
    body = json.dumps(payload).encode()
    req = b"POST %s HTTP/1.1\r\n%sContent-Length: %d\r\n\r\n%s" % ((_cfg.base + path).encode("latin-1"), _cfg.head, len(body), body)
    deadline = time.monotonic() + _cfg.timeout
    fam = _socket.AF_INET6 if ":" in _cfg.host else _socket.AF_INET
    s = _socket.socket(fam, _socket.SOCK_STREAM)  # the C type: its connect is not the wrapped one
    try:
        s.settimeout(_cfg.timeout)
        s.connect((_cfg.host, _cfg.port))
        s.sendall(req)
        buf = b""
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise _DecisionError("no answer within %d ms" % (_cfg.timeout * 1000))
            s.settimeout(left)
            chunk = s.recv(65536)
            buf += chunk
            if len(buf) > 1 << 20:
                raise _DecisionError("the decision service answer is too large")
            res = _parse_response(buf, not chunk)
            if res is not None:
                break
    except _socket.timeout:
        raise _DecisionError("no answer within %d ms" % (_cfg.timeout * 1000))
    except OSError as e:
        raise _DecisionError(str(e))
    finally:
        s.close()
    status, text = res
    if status != 200:
        raise _DecisionError("the decision service answered HTTP %d%s" % (status, (": " + text[:200]) if text else ""))
    try:
        d = json.loads(text)
    except ValueError:
        raise _DecisionError("the decision service answered something that is not JSON")
    if not isinstance(d, dict):
        raise _DecisionError("the decision service answered something that is not a JSON object")
    return d


def _parse_response(buf, eof):
    """(status, body text) once complete; None if more is needed."""
    i = buf.find(b"\r\n\r\n")
    if i < 0:
        if eof:
            raise _DecisionError("the decision service closed the connection without an answer")
        return None
    lines = buf[:i].decode("latin-1").split("\r\n")
    parts = lines[0].split(" ", 2)
    if len(parts) < 2 or not parts[0].startswith("HTTP/1.") or not parts[1].isdigit():
        raise _DecisionError("the decision service did not answer in HTTP/1.x")
    status = int(parts[1])
    if 100 <= status < 200:
        return _parse_response(buf[i + 4:], eof)
    length = None
    chunked = False
    for h in lines[1:]:
        name, _, value = h.partition(":")
        name = name.strip().lower()
        if name == "content-length":
            try:
                length = int(value.strip())
            except ValueError:
                raise _DecisionError("bad Content-Length")
        elif name == "transfer-encoding" and "chunked" in value.lower():
            chunked = True
    rest = buf[i + 4:]
    if chunked:
        out = b""
        pos = 0
        while True:
            nl = rest.find(b"\r\n", pos)
            if nl < 0:
                break
            try:
                size = int(rest[pos:nl].split(b";")[0], 16)
            except ValueError:
                raise _DecisionError("bad chunk size")
            if size == 0:
                return status, out.decode("utf-8", "replace")
            if len(rest) < nl + 2 + size + 2:
                break
            out += rest[nl + 2:nl + 2 + size]
            pos = nl + 2 + size + 2
    elif length is not None:
        if len(rest) >= length:
            return status, rest[:length].decode("utf-8", "replace")
    elif eof:
        return status, rest.decode("utf-8", "replace")
    if eof:
        raise _DecisionError("the decision service closed the connection mid-answer")
    return None


def _decide(host, port, protocol):
    """A validated decision dict. Never raises: failures come back as {'action': 'fail'}."""
    try:
        d = _post("/connect", {"host": host, "port": port, "protocol": protocol})
    except _DecisionError as e:
        return {"action": "fail", "reason": "network decision unavailable (%s)" % e}
    except Exception as e:  # noqa: BLE001 - anything at all means no decision
        return {"action": "fail", "reason": "network decision unavailable (%s: %s)" % (type(e).__name__, e)}
    reason = d.get("reason") if isinstance(d.get("reason"), str) else None
    address = d.get("address") if isinstance(d.get("address"), str) and _ip_family(d.get("address")) else None
    cid = d.get("connectionId")
    cid = str(cid) if isinstance(cid, (str, int)) and not isinstance(cid, bool) else None

    def bad(why):
        if cid:
            _notify_close(cid)
        return {"action": "fail", "reason": "bad decision: %s" % why}

    action = d.get("action")
    if action == "connect":
        h, p = d.get("host"), d.get("port")
        if not isinstance(h, str) or not _ip_family(h):
            return bad("connect target host %r is not an IP address" % (h,))
        if not _is_local(h):
            return bad("connect target %s is not a loopback address" % h)
        if not isinstance(p, int) or isinstance(p, bool) or not 0 < p < 65536:
            return bad("connect target port %r is not a port" % (p,))
        if d.get("connectionId") is not None and cid is None:
            return bad("connectionId is not a string")
        return {"action": "connect", "host": h, "port": p, "connectionId": cid, "address": address, "reason": reason}
    if action == "drop":
        ms = d.get("afterMs")
        if not isinstance(ms, (int, float)) or isinstance(ms, bool) or not 0 <= ms <= _MAX_DROP_MS:
            return bad("afterMs %r is not a delay" % (ms,))
        return {"action": "drop", "afterMs": ms, "reason": reason, "address": address}
    if action in ("unreachable", "refuse", "notfound"):
        return {"action": action, "reason": reason, "address": address}
    return bad("unknown action %r" % (action,))


def _notify_close(cid):
    try:
        _post("/close", {"connectionId": cid})
    except Exception:  # noqa: BLE001 - fire and forget
        pass


def _lookup(name, family):
    """[(address, 4|6)] for a name from hyperlocal's VPC DNS; raises socket.gaierror."""
    import socket
    if _is_localhost_name(name):
        return [a for a in (("127.0.0.1", 4), ("::1", 6)) if not family or a[1] == family]
    try:
        d = _post("/lookup", {"name": name, "family": family})
    except _DecisionError as e:
        raise socket.gaierror(socket.EAI_AGAIN, "Temporary failure in name resolution (hyperlocal: network decision unavailable (%s); refused (fail closed))" % e)
    if d.get("error") is not None:
        why = d.get("reason") if isinstance(d.get("reason"), str) else None
        code = d.get("error")
        if code == "EAI_AGAIN":
            raise socket.gaierror(socket.EAI_AGAIN, "Temporary failure in name resolution" + (" (hyperlocal: %s)" % why if why else ""))
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known" + (" (hyperlocal: %s)" % why if why else ""))
    addrs = d.get("addresses")
    if not isinstance(addrs, list):
        raise socket.gaierror(socket.EAI_AGAIN, "Temporary failure in name resolution (hyperlocal: bad lookup answer; refused (fail closed))")
    out = []
    for a in addrs:
        addr = a.get("address") if isinstance(a, dict) else None
        f = _ip_family(addr) if isinstance(addr, str) else 0
        if not f or (a.get("family") is not None and a.get("family") != f):
            raise socket.gaierror(socket.EAI_AGAIN, "Temporary failure in name resolution (hyperlocal: bad lookup answer %r; refused (fail closed))" % (a,))
        if not family or family == f:
            out.append((addr, f))
    if not out:
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
    return out


# ---------- errors ----------

def _oserror(code, reason):
    return OSError(code, "%s (hyperlocal: %s)" % (os.strerror(code), reason or "network rules"))


def _fail_closed(reason):
    import errno
    return _oserror(errno.ECONNREFUSED, "%s; refused (fail closed)" % reason)


# ---------- the socket module ----------

_state = {}


def _patch_socket(socket):
    import _socket
    import errno
    S = socket.socket
    if S.__dict__.get("_hyperlocal_patched"):
        return
    S._hyperlocal_patched = True

    orig_connect = S.connect
    orig_connect_ex = S.connect_ex
    orig_sendto = S.sendto
    orig_sendmsg = S.sendmsg if hasattr(S, "sendmsg") else None
    orig_real_close = S._real_close
    orig_detach = S.detach
    orig_init = S.__init__
    orig_getaddrinfo = socket.getaddrinfo
    orig_gethostbyname = socket.gethostbyname
    orig_gethostbyname_ex = socket.gethostbyname_ex
    orig_gethostbyaddr = socket.gethostbyaddr
    orig_getnameinfo = socket.getnameinfo
    AF_INET, AF_INET6, AF_UNIX = socket.AF_INET, socket.AF_INET6, getattr(socket, "AF_UNIX", None)
    AF_NETLINK = getattr(socket, "AF_NETLINK", None)
    SOCK_STREAM, SOCK_DGRAM = socket.SOCK_STREAM, socket.SOCK_DGRAM
    AI_NUMERICHOST, AI_CANONNAME = socket.AI_NUMERICHOST, socket.AI_CANONNAME
    NI_NUMERICHOST = socket.NI_NUMERICHOST

    # connections the decision service counts: fd -> [connectionId, weakref.finalize or None, owner id]
    conns = {}

    def release(fd, cid):
        e = conns.get(fd)
        if e is not None and e[0] == cid:
            del conns[fd]
            _notify_close(cid)

    def track(sock, cid):
        import weakref
        try:
            fd = sock.fileno()
        except OSError:
            fd = -1
        if fd < 0:
            return _notify_close(cid)
        old = conns.pop(fd, None)
        if old is not None and old[1] is not None:
            old[1].detach()
        conns[fd] = [cid, weakref.finalize(sock, release, fd, cid), id(sock)]

    def _real_close(self, _ss=_socket.socket):
        fd = self.fileno()
        try:
            return orig_real_close(self, _ss)
        finally:
            e = conns.pop(fd, None) if fd >= 0 else None
            if e is not None:
                if e[1] is not None:
                    e[1].detach()
                _notify_close(e[0])

    def detach(self):
        fd = orig_detach(self)
        e = conns.get(fd)
        if e is not None and e[2] == id(self) and e[1] is not None:
            e[1].detach()  # the connection lives on under another object
            e[1] = None
        return fd

    def __init__(self, family=-1, type=-1, proto=-1, fileno=None):
        orig_init(self, family, type, proto, fileno)
        if fileno is not None and conns:
            # a new object over a tracked fd (ssl.wrap_socket does this, then detaches the old one):
            # the new owner's collection is what ends the connection now
            import weakref
            fd = self.fileno()
            e = conns.get(fd)
            if e is not None:
                if e[1] is not None:
                    e[1].detach()
                e[1] = weakref.finalize(self, release, fd, e[0])
                e[2] = id(self)

    def kind(sock):
        fam = sock.family
        if fam == AF_UNIX or (AF_NETLINK is not None and fam == AF_NETLINK):
            return None  # stays on this machine
        if fam not in (AF_INET, AF_INET6):
            raise _fail_closed("sockets of family %s are not filtered by the shim" % fam)
        t = sock.type
        if t == SOCK_STREAM:
            return "tcp"
        if t == SOCK_DGRAM:
            return "udp"
        raise _fail_closed("sockets of type %s are not filtered by the shim" % t)

    def split(sock, address):
        fam_name = "AF_INET" if sock.family == AF_INET else "AF_INET6"
        if not isinstance(address, tuple):
            raise TypeError("%s address must be tuple, not %s" % (fam_name, type(address).__name__))
        if len(address) < 2:
            raise TypeError("%s address must be a pair (host, port)" % fam_name)
        host, port = address[0], address[1]
        if isinstance(host, (bytes, bytearray)):
            host = bytes(host).decode("ascii", "replace")
        if not isinstance(host, str):
            raise TypeError("str, bytes or bytearray expected, not %s" % type(host).__name__)
        if not isinstance(port, int) or isinstance(port, bool):
            raise TypeError("'%s' object cannot be interpreted as an integer" % type(port).__name__)
        if not 0 <= port <= 65535:
            raise OverflowError("connect(): port must be 0-65535.")
        return host, port

    def target(sock, host, port):
        """The loopback address tuple to hand the original call, in the socket's family."""
        if sock.family == AF_INET6:
            return ("::ffff:" + host if _ip_family(host) == 4 else host, port, 0, 0)
        if _ip_family(host) == 6:
            if host.lower().startswith("::ffff:") and _ip_family(host[7:]) == 4:
                return (host[7:], port)
            return None
        return (host, port)

    def plan(sock, address, protocol=None):
        """('pass', addr) | ('map', addr, cid) | ('drop', seconds, error); raises refusals."""
        k = kind(sock)
        if k is None:
            return ("pass", address)
        host, port = split(sock, address)
        proto = protocol or k
        if host == "<broadcast>":
            host = "255.255.255.255"
        local = host == "" or (_ip_family(host) and _is_local(host)) or _is_localhost_name(host)
        if local and proto == "tcp" and port in _config().deny_ports:
            raise _oserror(errno.ECONNREFUSED, "hyperlocal's own port is not reachable from function code (AWS_ENDPOINT_URL is); refused")
        if host == "" or (_ip_family(host) and _is_local(host)):
            return ("pass", address)
        if _is_localhost_name(host):
            return ("pass", ((("::1" if sock.family == AF_INET6 else "127.0.0.1"), port) + tuple(address[2:])))
        d = _decide(host, port, proto)
        a = d.get("action")
        shown = d.get("address") or host
        if a == "connect":
            t = target(sock, d["host"], d["port"])
            if t is None:
                if d.get("connectionId"):
                    _notify_close(d["connectionId"])
                raise _fail_closed("target %s is not reachable from an AF_INET socket" % d["host"])
            return ("map", t, d.get("connectionId"))
        if a == "drop":
            return ("drop", d["afterMs"] / 1000.0, d.get("reason"), shown)
        if a == "unreachable":
            raise _oserror(errno.ENETUNREACH, d.get("reason"))
        if a == "refuse":
            raise _oserror(errno.ECONNREFUSED, d.get("reason"))
        if a == "notfound":
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known (hyperlocal: %s)" % (d.get("reason") or "no such name"))
        raise _fail_closed(d.get("reason") or "no decision")

    def drop_error(reason):
        return _oserror(errno.ETIMEDOUT, reason)

    def blocking_drop(sock, seconds, reason):
        import time
        timeout = sock.gettimeout()
        if timeout == 0.0:
            # A non-blocking socket (selectors, gevent, trio...): the SYN would go unanswered, but
            # nothing here can fail it later without the event loop's help; fail it now.
            raise drop_error(reason)
        if timeout is not None and timeout < seconds:
            time.sleep(timeout)
            raise TimeoutError("timed out (hyperlocal: %s)" % (reason or "network rules"))
        time.sleep(seconds)
        raise drop_error(reason)

    def udp_blackhole(sock):
        bh = _state.get("blackhole_socket")
        if bh is None:
            bh = _socket.socket(AF_INET, SOCK_DGRAM)
            bh.bind(("127.0.0.1", 0))
            _state["blackhole_socket"] = bh
        port = bh.getsockname()[1]
        return ("::ffff:127.0.0.1", port, 0, 0) if sock.family == AF_INET6 else ("127.0.0.1", port)

    def connect(self, address):
        p = plan(self, address)
        if p[0] == "pass":
            return orig_connect(self, p[1])
        if p[0] == "drop":
            if self.type == SOCK_DGRAM:  # connect(2) on UDP succeeds; what is sent afterwards is lost
                return orig_connect(self, udp_blackhole(self))
            blocking_drop(self, p[1], p[2])
        cid = p[2]
        try:
            orig_connect(self, p[1])
        except (BlockingIOError, InterruptedError):
            if cid:
                track(self, cid)
            raise
        except BaseException:
            if cid:
                _notify_close(cid)
            raise
        if cid:
            track(self, cid)

    def connect_ex(self, address):
        try:
            p = plan(self, address)
        except socket.gaierror:
            raise
        except OSError as e:
            return e.errno if e.errno is not None else errno.ECONNREFUSED
        if p[0] == "pass":
            return orig_connect_ex(self, p[1])
        if p[0] == "drop":
            if self.type == SOCK_DGRAM:
                return orig_connect_ex(self, udp_blackhole(self))
            try:
                blocking_drop(self, p[1], p[2])
            except OSError as e:
                return e.errno if e.errno is not None else errno.EWOULDBLOCK
        cid = p[2]
        rc = orig_connect_ex(self, p[1])
        if cid:
            if rc in (0, errno.EINPROGRESS, errno.EWOULDBLOCK, errno.EALREADY):
                track(self, cid)
            else:
                _notify_close(cid)
        return rc

    def datagram(self, address, flags, send):
        """sendto/sendmsg with an address: decide it, then send to the mapped target."""
        k = kind(self)
        if k is None:
            return send(address)
        if k == "tcp":
            if flags & _MSG_FASTOPEN:
                host, port = split(self, address)
                if not (_ip_family(host) and _is_local(host)):
                    raise _fail_closed("TCP Fast Open is not supported by the shim")
            return send(address)  # a TCP socket ignores the address, or fails: it never connects here
        p = plan(self, address, "udp")
        if p[0] == "pass":
            return send(p[1])
        if p[0] == "drop":
            return None  # a datagram the VPC drops is sent all the same, and lost
        try:
            return send(p[1])
        finally:
            if p[2]:
                _notify_close(p[2])

    def sendto(self, data, flags_or_address, *rest):
        if rest:
            flags, address = flags_or_address, rest[0]
            if len(rest) > 1:
                return orig_sendto(self, data, flags_or_address, *rest)  # node-like: let it raise
            r = datagram(self, address, flags if isinstance(flags, int) else 0, lambda a: orig_sendto(self, data, flags, a))
        else:
            r = datagram(self, flags_or_address, 0, lambda a: orig_sendto(self, data, a))
        return len(memoryview(data)) if r is None else r

    S.connect = connect
    S.connect_ex = connect_ex
    S.sendto = sendto
    S._real_close = _real_close
    S.detach = detach
    S.__init__ = __init__

    if orig_sendmsg is not None:
        def sendmsg(self, buffers, ancdata=(), flags=0, address=None):
            if address is None:
                return orig_sendmsg(self, buffers, ancdata, flags)
            r = datagram(self, address, flags, lambda a: orig_sendmsg(self, buffers, ancdata, flags, a))
            return sum(len(memoryview(b)) for b in buffers) if r is None else r
        S.sendmsg = sendmsg

    # ----- names: nothing reaches the machine's resolver -----

    def family_number(family):
        return 4 if family == AF_INET else 6 if family == AF_INET6 else 0

    def getaddrinfo(host, port, family=0, type=0, proto=0, flags=0):
        if host is None:
            return orig_getaddrinfo(host, port, family, type, proto, flags)
        name = bytes(host).decode("ascii", "replace") if isinstance(host, (bytes, bytearray)) else host
        if not isinstance(name, str):
            return orig_getaddrinfo(host, port, family, type, proto, flags)  # raises TypeError
        if name == "" or _ip_family(name):
            return orig_getaddrinfo(name, port, family, type, proto, flags | AI_NUMERICHOST)
        addrs = _lookup(name, family_number(family))
        out = []
        err = None
        for addr, f in addrs:
            try:
                out.extend(orig_getaddrinfo(addr, port, AF_INET if f == 4 else AF_INET6, type, proto, (flags | AI_NUMERICHOST) & ~AI_CANONNAME))
            except OSError as e:
                err = err or e
        if not out:
            raise err or socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        if flags & AI_CANONNAME:
            fam, st, pr, _, sa = out[0]
            out[0] = (fam, st, pr, name, sa)
        return out

    def gethostbyname(hostname):
        if not isinstance(hostname, str) or hostname in ("", "<broadcast>") or _ip_family(hostname) == 4:
            return orig_gethostbyname(hostname)  # no resolver involved (or a TypeError)
        if _ip_family(hostname):
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return _lookup(hostname, 4)[0][0]

    def gethostbyname_ex(hostname):
        if not isinstance(hostname, str) or hostname in ("", "<broadcast>") or _ip_family(hostname) == 4:
            return orig_gethostbyname_ex(hostname)
        if _ip_family(hostname):
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return (hostname, [], [a for a, _ in _lookup(hostname, 4)])

    def gethostbyaddr(ip):
        if not isinstance(ip, str):
            return orig_gethostbyaddr(ip)
        if _ip_family(ip) and _is_local(ip):
            return ("localhost", [], [ip])
        raise socket.herror(1, "Unknown host")

    def getnameinfo(sockaddr, flags):
        host = sockaddr[0] if isinstance(sockaddr, tuple) and sockaddr else None
        if isinstance(host, str) and _ip_family(host) == 4 and _is_local(host):
            return orig_getnameinfo(sockaddr, flags)
        return orig_getnameinfo(sockaddr, flags | NI_NUMERICHOST)  # no reverse DNS

    socket.getaddrinfo = getaddrinfo
    socket.gethostbyname = gethostbyname
    socket.gethostbyname_ex = gethostbyname_ex
    socket.gethostbyaddr = gethostbyaddr
    socket.getnameinfo = getnameinfo

    _state["plan"] = plan
    _state["track"] = track
    _state["blackhole"] = udp_blackhole


# ---------- asyncio: a drop must not block the event loop ----------

def _patch_event_loop(cls):
    if cls is None or cls.__dict__.get("_hyperlocal_patched"):
        return
    cls._hyperlocal_patched = True
    orig = cls.sock_connect

    async def sock_connect(self, sock, address):
        plan = _state.get("plan")
        if plan is None:  # asyncio imports socket first, so this does not happen
            raise _fail_closed("the socket module is not patched")
        p = plan(sock, address)
        if p[0] == "pass":
            return await orig(self, sock, p[1])
        if p[0] == "drop":
            import socket
            if sock.type == socket.SOCK_DGRAM:
                return await orig(self, sock, _state["blackhole"](sock))  # sends are lost
            import asyncio
            import errno
            await asyncio.sleep(p[1])  # the SYN goes unanswered; the loop keeps running
            raise _oserror(errno.ETIMEDOUT, p[2])
        cid = p[2]
        try:
            r = await orig(self, sock, p[1])
        except BaseException:
            if cid:
                _notify_close(cid)
            raise
        if cid:
            _state["track"](sock, cid)
        return r

    cls.sock_connect = sock_connect


def _patch_selector_events(mod):
    _patch_event_loop(getattr(mod, "BaseSelectorEventLoop", None))


def _patch_proactor_events(mod):
    _patch_event_loop(getattr(mod, "BaseProactorEventLoop", None))


def _aws_endpoints():
    """"AWS_ENDPOINT_URL_STS=http://sts.<region>.amazonaws.com:443 ..." from hyperlocal, read now (spares learn it late)."""
    out = {}
    for item in (os.environ.get("HYPERLOCAL_AWS_ENDPOINTS") or "").split():
        k, sep, v = item.partition("=")
        if sep and k.startswith("AWS_ENDPOINT_URL_") and v:
            out[k] = v
    return out


def _apply_aws_endpoints():
    """Put the services' endpoint variables into the environment (tools and child processes read them there)."""
    for k, v in _aws_endpoints().items():
        os.environ[k] = v
    # A VPC function: no AWS_ENDPOINT_URL in a shimmed process, so no SDK client goes around the VPC
    # (processes without a shim keep it: they cannot resolve the services' names).
    if os.environ.get("HYPERLOCAL_AWS_NAMES_ONLY") == "1":
        os.environ.pop("AWS_ENDPOINT_URL", None)


def _patch_botocore_session(mod):
    """botocore before 1.31 (Debian's is 1.29) ignores AWS_ENDPOINT_URL*: give each new client its endpoint.

    Every version gets the same rule, so any boto3 resolves alike: an endpoint_url the caller passes
    wins; else AWS_ENDPOINT_URL_<SERVICE>, else AWS_ENDPOINT_URL (hyperlocal's own listener)."""
    cls = getattr(mod, "Session", None)
    if cls is None or cls.__dict__.get("_hyperlocal_patched"):
        return
    cls._hyperlocal_patched = True
    orig = cls.create_client

    def create_client(self, service_name, *args, **kwargs):
        # create_client(service_name, region_name, api_version, use_ssl, verify, endpoint_url, ...)
        if len(args) < 5 and kwargs.get("endpoint_url") is None:
            name = "AWS_ENDPOINT_URL_" + str(service_name).upper().replace("-", "_").replace(" ", "_")
            url = _aws_endpoints().get(name) or os.environ.get(name) or os.environ.get("AWS_ENDPOINT_URL")
            if url:
                kwargs["endpoint_url"] = url
        return orig(self, service_name, *args, **kwargs)

    cls.create_client = create_client


_PATCHES = {
    "botocore.session": _patch_botocore_session,
    "socket": _patch_socket,
    "asyncio.selector_events": _patch_selector_events,
    "asyncio.proactor_events": _patch_proactor_events,
}


class _PatchingLoader:
    """Runs the real loader, then patches the module before anyone else sees it."""

    def __init__(self, loader, patch):
        self._loader = loader
        self._patch = patch

    def create_module(self, spec):
        return self._loader.create_module(spec)

    def exec_module(self, module):
        self._loader.exec_module(module)
        self._patch(module)

    def __getattr__(self, name):
        return getattr(self._loader, name)


class _Finder:
    @classmethod
    def find_spec(cls, name, path=None, target=None):
        patch = _PATCHES.get(name)
        if patch is None:
            return None
        for finder in sys.meta_path:
            if finder is cls:
                continue
            find = getattr(finder, "find_spec", None)
            if find is None:
                continue
            spec = find(name, path, target)
            if spec is not None:
                if spec.loader is not None and hasattr(spec.loader, "exec_module"):
                    spec.loader = _PatchingLoader(spec.loader, patch)
                return spec
        return None


def _print_notice():
    notice = os.environ.pop("HYPERLOCAL_NET_NOTICE", None)  # child processes inherit the shim, not the notice
    if notice:
        try:
            sys.stderr.write(notice if notice.endswith("\n") else notice + "\n")
            sys.stderr.flush()
        except Exception:  # noqa: BLE001
            pass


def _install():
    if getattr(sys, "_hyperlocal_network_shim", False):
        return
    sys._hyperlocal_network_shim = True
    _apply_aws_endpoints()
    _print_notice()
    sys.meta_path.insert(0, _Finder)
    for name, patch in _PATCHES.items():
        mod = sys.modules.get(name)
        if mod is not None:
            patch(mod)


_install()
