"""Servers on 127.0.0.1 for the tests of outbound fetches: a listener that only counts the connections made to it,
and an HTTPS server with its own certificate that answers what a test scripts."""
from __future__ import annotations

import datetime
import ipaddress
import socket
import ssl
import tempfile
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

LOCALHOST = "127.0.0.1"


class CountingListener:
    """A TCP port on 127.0.0.1 that accepts, counts and closes connections: proof that something connected."""

    def __init__(self) -> None:
        self._sock = socket.create_server((LOCALHOST, 0))
        self._sock.settimeout(0.2)
        self.port: int = self._sock.getsockname()[1]
        self.accepted = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._sock.accept()
            except (TimeoutError, OSError):
                continue
            self.accepted += 1
            conn.close()

    def close(self) -> None:
        self._stop.set()
        self._thread.join()
        self._sock.close()


@contextmanager
def counting_listener() -> Iterator[CountingListener]:
    listener = CountingListener()
    try:
        yield listener
    finally:
        listener.close()


def certificate(*names: str) -> tuple[bytes, bytes]:
    """A self-signed certificate (PEM) valid for ``names`` (DNS names or IP addresses), and its key (PEM)."""
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, names[0])])
    alternative: list[x509.GeneralName] = []
    for name in names:
        try:
            alternative.append(x509.IPAddress(ipaddress.ip_address(name)))
        except ValueError:
            alternative.append(x509.DNSName(name))
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(subject).issuer_name(subject).public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(days=1)).not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName(alternative), critical=False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    return (cert.public_bytes(serialization.Encoding.PEM),
            key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                              serialization.NoEncryption()))


Respond = Callable[[BaseHTTPRequestHandler], None]


class HttpsServer:
    """HTTPS on 127.0.0.1 with a certificate for ``names``; ``respond`` answers every GET; ``trust`` is a client
    context that trusts (only) this server's certificate."""

    def __init__(self, respond: Respond, names: tuple[str, ...] = ("jwks.test", LOCALHOST)) -> None:
        cert, key = certificate(*names)
        server_tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        with tempfile.NamedTemporaryFile("wb", suffix=".pem") as cert_file, \
                tempfile.NamedTemporaryFile("wb", suffix=".pem") as key_file:
            cert_file.write(cert)
            key_file.write(key)
            cert_file.flush()
            key_file.flush()
            server_tls.load_cert_chain(cert_file.name, key_file.name)
        self.trust = ssl.create_default_context(cadata=cert.decode())
        self.requests: list[tuple[str, str]] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - http.server's name
                server.requests.append((self.path, self.headers.get("Host", "")))
                respond(self)

            def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - http.server's name
                pass

        self._httpd = ThreadingHTTPServer((LOCALHOST, 0), Handler)
        self._httpd.daemon_threads = True
        self._httpd.socket = server_tls.wrap_socket(self._httpd.socket, server_side=True)
        self.port: int = self._httpd.server_address[1]
        self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05},
                                        daemon=True)
        self._thread.start()

    def close(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join()


@contextmanager
def https_server(respond: Respond, names: tuple[str, ...] = ("jwks.test", LOCALHOST)) -> Iterator[HttpsServer]:
    server = HttpsServer(respond, names)
    try:
        yield server
    finally:
        server.close()


def answer(status: int, body: bytes = b"", headers: dict[str, str] | None = None) -> Respond:
    """A ``respond`` that always sends ``status``, ``headers`` and ``body``."""
    def respond(handler: BaseHTTPRequestHandler) -> None:
        handler.send_response(status)
        for name, value in (headers or {}).items():
            handler.send_header(name, value)
        if "Content-Length" not in (headers or {}):
            handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body)
    return respond
