"""A recording HTTP proxy in front of the local API server.

The operator is pointed at it (a kubeconfig whose server is this proxy) and the proxy writes
down every request it forwards and the status code of the answer, as the API server's audit
log would. From that list the tests derive the RBAC attributes (verb, group, resource,
subresource, namespace) the operator actually used — the same mapping kube-apiserver's
request-info resolver makes — and compare them with the rules the manifests grant.

It speaks HTTP/1.1 to both sides (the local API server accepts plain HTTP on its port),
follows keep-alive, fixed-length and chunked bodies in both directions, and after a
`101 Switching Protocols` (exec over WebSocket) pipes raw bytes until either side closes.
"""

from __future__ import annotations

import dataclasses
import socket
import threading
import urllib.parse


@dataclasses.dataclass(frozen=True)
class Request:
    method: str
    target: str
    upgrade: bool
    status: int = 0

    @property
    def path(self) -> str:
        return urllib.parse.urlsplit(self.target).path

    @property
    def query(self) -> dict:
        return urllib.parse.parse_qs(urllib.parse.urlsplit(self.target).query)

    def attributes(self) -> "Attributes":
        return request_attributes(self.method, self.target, self.upgrade)


@dataclasses.dataclass(frozen=True, order=True)
class Attributes:
    """What RBAC sees: kube-apiserver's RequestInfo for a resource request, or a non-resource URL."""
    verb: str
    group: str = ""
    resource: str = ""
    subresource: str = ""
    namespace: str = ""
    name: str = ""
    non_resource_url: str = ""

    @property
    def resource_path(self) -> str:
        return self.resource + ("/" + self.subresource if self.subresource else "")


def request_attributes(method: str, target: str, upgrade: bool = False) -> Attributes:
    """kube-apiserver's RequestInfoFactory, for the paths an operator uses."""
    split = urllib.parse.urlsplit(target)
    query = urllib.parse.parse_qs(split.query)
    parts = [p for p in split.path.split("/") if p]
    if not parts or parts[0] not in ("api", "apis"):
        return Attributes(verb=method.lower(), non_resource_url=split.path)
    if parts[0] == "api":
        group, rest = "", parts[2:]
    else:
        if len(parts) < 3:
            return Attributes(verb=method.lower(), non_resource_url=split.path)
        group, rest = parts[1], parts[3:]
    if not rest:
        return Attributes(verb=method.lower(), non_resource_url=split.path)
    namespace = ""
    if rest[0] == "namespaces" and len(rest) >= 2:
        namespace = rest[1]
        if len(rest) > 2 and rest[2] not in ("status", "finalize"):
            rest = rest[2:]
    resource = rest[0]
    name = rest[1] if len(rest) > 1 else ""
    sub = "/".join(rest[2:])
    watch = query.get("watch", [""])[0] in ("true", "1")
    verb = {
        "POST": "create", "PUT": "update", "PATCH": "patch", "DELETE": "delete" if name else "deletecollection",
    }.get(method, "get" if name else "list")
    if method == "GET" and watch:
        verb = "watch"
    if method == "GET" and upgrade and sub in ("exec", "attach", "portforward"):
        # Streaming upgrades are authorized as create (KEP-4006, default since 1.30).
        verb = "create"
    return Attributes(verb=verb, group=group, resource=resource, subresource=sub, namespace=namespace, name=name)


class RecordingProxy:
    """Listens on 127.0.0.1:<port> and forwards to `upstream` ("127.0.0.1:6443")."""

    def __init__(self, upstream_host: str, upstream_port: int):
        self.upstream = (upstream_host, upstream_port)
        self.listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(64)
        self.port = self.listener.getsockname()[1]
        self._lock = threading.Lock()
        self._requests: list[Request] = []
        self._closed = False
        threading.Thread(target=self._accept, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def requests(self) -> list[Request]:
        with self._lock:
            return list(self._requests)

    def close(self):
        self._closed = True
        try:
            self.listener.close()
        except OSError:
            pass

    def _accept(self):
        while not self._closed:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(client,), daemon=True).start()

    def _record(self, req: Request) -> int:
        with self._lock:
            self._requests.append(req)
            return len(self._requests) - 1

    def _set_status(self, index: int, status: int):
        with self._lock:
            self._requests[index] = dataclasses.replace(self._requests[index], status=status)

    def _serve(self, client: socket.socket):
        try:
            upstream = socket.create_connection(self.upstream)
        except OSError:
            client.close()
            return
        pending: list[int] = []  # indexes of requests waiting for their response, in order
        pending_lock = threading.Lock()
        upgraded = threading.Event()

        def responses():
            reader = _Reader(upstream)
            try:
                while True:
                    head = reader.head()
                    if head is None:
                        break
                    client.sendall(head)
                    status, headers = _parse_head(head)
                    with pending_lock:
                        index = pending.pop(0) if pending else None
                    if index is not None and status >= 200:
                        self._set_status(index, status)
                    if status == 101:
                        upgraded.set()
                        if index is not None:
                            self._set_status(index, 101)
                        _pipe(reader, client)
                        break
                    if 100 <= status < 200:
                        with pending_lock:
                            if index is not None:
                                pending.insert(0, index)
                        continue
                    if not _copy_body(reader, client, headers, response=True):
                        break
            except OSError:
                pass
            finally:
                _shutdown(client)
                _shutdown(upstream)

        threading.Thread(target=responses, daemon=True).start()
        reader = _Reader(client)
        try:
            while True:
                head = reader.head()
                if head is None:
                    break
                line, headers = _parse_request_head(head)
                method, target = line
                upgrade = "upgrade" in headers.get("connection", "").lower()
                index = self._record(Request(method, target, upgrade))
                with pending_lock:
                    pending.append(index)
                upstream.sendall(head)
                if upgrade:
                    _pipe(reader, upstream)
                    break
                if not _copy_body(reader, upstream, headers, response=False):
                    break
        except OSError:
            pass
        finally:
            if not upgraded.is_set():
                _shutdown(upstream)


class _Reader:
    """Buffered reads from a socket."""

    def __init__(self, sock: socket.socket):
        self.sock = sock
        self.buf = b""

    def fill(self) -> bool:
        data = self.sock.recv(65536)
        if not data:
            return False
        self.buf += data
        return True

    def head(self) -> bytes | None:
        while b"\r\n\r\n" not in self.buf:
            if not self.fill():
                return None
        end = self.buf.index(b"\r\n\r\n") + 4
        head, self.buf = self.buf[:end], self.buf[end:]
        return head

    def line(self) -> bytes | None:
        while b"\r\n" not in self.buf:
            if not self.fill():
                return None
        end = self.buf.index(b"\r\n") + 2
        line, self.buf = self.buf[:end], self.buf[end:]
        return line

    def exactly(self, n: int, out: socket.socket) -> bool:
        while n > 0:
            if not self.buf and not self.fill():
                return False
            chunk, self.buf = self.buf[:n], self.buf[n:]
            out.sendall(chunk)
            n -= len(chunk)
        return True


def _parse_headers(lines: list[str]) -> dict:
    headers = {}
    for line in lines:
        if ":" in line:
            k, v = line.split(":", 1)
            headers[k.strip().lower()] = v.strip()
    return headers


def _parse_request_head(head: bytes):
    lines = head.decode("latin-1").split("\r\n")
    method, target, _ = lines[0].split(" ", 2)
    return (method, target), _parse_headers(lines[1:])


def _parse_head(head: bytes):
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ")[1])
    return status, _parse_headers(lines[1:])


def _copy_body(reader: _Reader, out: socket.socket, headers: dict, response: bool) -> bool:
    """Forwards one message body; False when the connection must end after it."""
    if "chunked" in headers.get("transfer-encoding", "").lower():
        while True:
            size_line = reader.line()
            if size_line is None:
                return False
            out.sendall(size_line)
            size = int(size_line.split(b";")[0].strip(), 16)
            if size == 0:
                # trailers, then the empty line
                while True:
                    line = reader.line()
                    if line is None:
                        return False
                    out.sendall(line)
                    if line == b"\r\n":
                        return True
            if not reader.exactly(size + 2, out):
                return False
    if "content-length" in headers:
        return reader.exactly(int(headers["content-length"]), out)
    if response:
        # No length: the body runs until the server closes.
        _pipe(reader, out)
        return False
    return True


def _pipe(reader: _Reader, out: socket.socket):
    try:
        if reader.buf:
            out.sendall(reader.buf)
            reader.buf = b""
        while True:
            data = reader.sock.recv(65536)
            if not data:
                break
            out.sendall(data)
    except OSError:
        pass
    finally:
        _shutdown(out)


def _shutdown(sock: socket.socket):
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass
