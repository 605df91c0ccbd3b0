"""Any request as API Gateway would hand it to the Lambda function: a REST proxy event (payload 1.0) for a concrete
method and path, routed to the Chalice app object as Lambda calls it (``app(event, context)``), with a cookie jar for
the browser flows.

The event's ``resource`` and ``pathParameters`` are what API Gateway fills in from the route that matched; here they
come from matching the path against the app's own route table, the way the deployed API's routes are generated from
it (infra/). Everything else is ``bench.apigw.proxy_event``'s.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from bench.apigw import HOST, LambdaContext, gateway_headers, proxy_event

BASE_URL = f"https://{HOST}"


@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    cookies: list[str]
    body: str

    def json(self) -> Any:
        return json.loads(self.body)

    @property
    def location(self) -> str:
        return self.headers.get("Location") or self.headers.get("location") or ""


class Gateway:
    """Sends requests to ``app`` as proxy events. Paths are the API's own (``/oauth2/...``, ``/api/v1/...``)."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.context = LambdaContext()
        routes = []
        for resource in app.routes:
            pattern = re.sub(r"\\\{(\w+)\\\}", r"(?P<\1>[^/]+)", re.escape(resource))
            pattern = pattern.replace(r"(?P<proxy\+>[^/]+)", r"(?P<proxy>.+)")
            # Literal routes win over templated ones, as in API Gateway.
            routes.append((resource.count("{"), re.compile(f"^{pattern}$"), resource))
        self._routes = sorted(routes, key=lambda r: (r[0], -len(r[2])))

    def resource(self, path: str) -> tuple[str, dict[str, str]]:
        for _templated, pattern, resource in self._routes:
            matched = pattern.match(path)
            if matched:
                return resource, matched.groupdict()
        raise KeyError(f"no route for {path}")

    def event(self, method: str, url: str, headers: dict[str, str] | None = None,
              body: str | None = None) -> dict[str, Any]:
        parts = urlsplit(url)
        resource, params = self.resource(parts.path)
        event = proxy_event(method, resource, "", gateway_headers(headers or {}), body)
        event["path"] = parts.path
        event["requestContext"]["path"] = f"/api{parts.path}"
        event["pathParameters"] = params or None
        if parts.query:
            multi = parse_qs(parts.query, keep_blank_values=True)
            event["queryStringParameters"] = {k: v[-1] for k, v in multi.items()}
            event["multiValueQueryStringParameters"] = multi
        return event

    def send(self, event: dict[str, Any]) -> Reply:
        raw = self.app(event, self.context)
        headers = dict(raw.get("headers") or {})
        multi = raw.get("multiValueHeaders") or {}
        cookies = list(multi.get("Set-Cookie") or multi.get("set-cookie") or [])
        if "Set-Cookie" in headers and not cookies:
            cookies = [headers["Set-Cookie"]]
        for name, values in multi.items():
            headers.setdefault(name, values[-1])
        return Reply(raw["statusCode"], headers, cookies, raw.get("body") or "")

    def request(self, method: str, url: str, headers: dict[str, str] | None = None, body: str | None = None) -> Reply:
        return self.send(self.event(method, url, headers, body))

    def form(self, url: str, data: dict[str, str], headers: dict[str, str] | None = None) -> Reply:
        body = urlencode(data)
        return self.request("POST", url, {"Content-Type": "application/x-www-form-urlencoded",
                                          "Content-Length": str(len(body)), **(headers or {})}, body)


@dataclass
class Browser:
    """A person's browser: keeps the cookies the pages set and sends them back."""

    gateway: Gateway
    cookies: dict[str, str] = field(default_factory=dict)

    def _headers(self, extra: dict[str, str] | None = None) -> dict[str, str]:
        headers = {"Accept": "text/html", **(extra or {})}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        return headers

    def _keep(self, reply: Reply) -> Reply:
        for header in reply.cookies:
            name, _, rest = header.partition("=")
            if "Max-Age=0" in header:
                self.cookies.pop(name, None)
            else:
                self.cookies[name] = rest.split(";", 1)[0]
        return reply

    def get(self, url: str) -> Reply:
        return self._keep(self.gateway.request("GET", local(url), self._headers()))

    def post(self, url: str, data: dict[str, str]) -> Reply:
        return self._keep(self.gateway.form(local(url), data, self._headers()))


def local(url: str) -> str:
    """A URL of this deployment as the path (and query) the gateway routes: ``https://host/api/x?y`` -> ``/x?y``."""
    parts = urlsplit(url)
    path = parts.path.removeprefix("/api") if parts.netloc else parts.path
    return path + (f"?{parts.query}" if parts.query else "")
