"""How low a client_credentials handler of this shape could go: ``python -m bench.handler_bound [--seconds S]
[--rounds R]`` (docs/performance.md, "client_credentials against raw signing", "Where the target stands").

In one process, against the bench's local stack, alternating in rounds: the real handler (``app(event, context)``),
with token events on and off, and a *stripped* handler that keeps only what every token must cost: a dict lookup of
the configuration, client and audience computed once, the token's claims, ``minting.sign``, the System Log's event
recorded through the container's recorder as the real path records it (template, line, buffer, batch writes), and
the response dict, again with events on and off; PyJWT's ``jwt.encode`` of the same claims is the floor. The
stripped handler authenticates nothing, decides no policy and checks nothing: it is a bound, never a product.
Prints CPU per call and each handler's ratio to the floor, with and without the Lambda runtime's JSON.
"""
from __future__ import annotations

import argparse
import sys
from datetime import timedelta
from typing import Any, Callable

import jwt

from bench.apigw import LambdaContext, token_event
from bench.awscalls import AwsCallCounter
from bench.tokens import (SCOPE, check_token_response, raw_signer, runtime_serialization_us, start_stack,
                          timed_loop, verify_sample, warm_up)


def stripped_handler(stack: Any, event: dict[str, Any]) -> Callable[[dict[str, Any]], dict[str, Any]]:
    """The bound's handler for ``event``'s request (everything but the token's own work computed here, once)."""
    import orjson

    from chalicelib.api import request_origin
    from chalicelib.api.http import base_url
    from chalicelib.oauth import minting, token_events
    from chalicelib.oauth.access_token import access_token_claims
    from chalicelib.oauth.audit import TokenTrace
    from chalicelib.oauth.issuer import access_token_audience, issuer

    services = stack.container.oauth.services
    audit = stack.container.audit
    headers = {name.lower(): value for name, value in event["headers"].items()}
    params = {"grant_type": "client_credentials", "scope": SCOPE}
    config, read_at = services.configs.active("default")
    iss = issuer(config.server, base_url(headers, None))
    client = services.authenticator.authenticate(params, headers["authorization"], [iss], False).client
    known = {("default", event["body"], headers["authorization"]): (config, read_at, client,
                                                                     access_token_audience(config.server, iss))}
    origin = request_origin.origin(headers, event["requestContext"])
    lifetime, scopes = timedelta(hours=1), (SCOPE,)

    def handle(request: dict[str, Any]) -> dict[str, Any]:
        sent = request["headers"]
        config, read_at, client, audience = known[(request["pathParameters"]["authServerId"], request["body"],
                                                   sent["Authorization"])]
        claims = access_token_claims(issuer=iss, audience=audience, client_id=client.client_id, scopes=scopes,
                                     now=services.now(), lifetime=lifetime, subject=client.client_id, custom={},
                                     jkt=None)
        body = {"token_type": "Bearer", "expires_in": 3600, "access_token": minting.sign(services, config, read_at,
                                                                                         claims), "scope": SCOPE}
        trace = TokenTrace(access_token=(claims["jti"], claims["exp"]))
        started = audit.request_started()
        audit.record_token(lambda: token_events.granted(
            server=config.server, client=client, grant_type="client_credentials", params=params, body=body,
            trace=trace, origin=origin, now=services.now()), success=True)
        audit.request_ended(started)
        return {"statusCode": 200, "headers": {"Content-Type": "application/json", "Cache-Control": "no-store"},
                "body": orjson.dumps(body).decode(), "isBase64Encoded": False}

    return handle


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=2.0, help="seconds per kind per round")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args(argv)
    counter = AwsCallCounter().install()
    stack = start_stack()
    try:
        event = token_event("default", stack.client_id, stack.client_secret, SCOPE)
        token, _ = warm_up(stack, counter, event)
        raw, _key = raw_signer(verify_sample(stack, token), jwt.get_unverified_header(token)["kid"])
        stripped = stripped_handler(stack, event)
        check_token_response(stripped(event))
        app, context, audit = stack.app, LambdaContext(), stack.container.audit
        json_us = runtime_serialization_us(stack, event)
        kinds: dict[str, tuple[Callable[[], Any], float]] = {
            "real handler, token events on": (lambda: app(event, context), 1.0),
            "real handler, token events off": (lambda: app(event, context), 0.0),
            "stripped bound, token events on": (lambda: stripped(event), 1.0),
            "stripped bound, token events off": (lambda: stripped(event), 0.0),
            "jwt.encode (the floor)": (raw, 1.0),
        }
        cpu: dict[str, list[float]] = {name: [] for name in kinds}
        for _ in range(args.rounds):
            for name, (call, sample) in kinds.items():
                audit.sample = sample
                loop = timed_loop(call, args.seconds)
                cpu[name].append(loop.cpu / loop.calls * 1e6)
        audit.sample = 1.0
        median = {name: sorted(v)[len(v) // 2] for name, v in cpu.items()}
        floor = median["jwt.encode (the floor)"]
        print(f"runtime JSON (event decode + response encode): {json_us:.1f} µs; {args.rounds} rounds of "
              f"{args.seconds:g} s per kind, medians")
        for name, us in median.items():
            print(f"  {name:<34} {us:7.1f} µs   ratio {floor / us:.3f}   with the runtime's JSON "
                  f"{floor / (us + json_us):.3f}")
    finally:
        stack.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
