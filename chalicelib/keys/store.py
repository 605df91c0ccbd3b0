"""Private signing-key material at rest: KMS-encrypted, kept in Secrets Manager (DESIGN.md "Signing keys").

A private key never rests in clear. ``put`` encrypts the PKCS#8 DER with KMS ``Encrypt`` under an
encryption context ``{"authServerId", "kid"}`` (KMS-02) and stores the ciphertext as ``SecretBinary``
of the secret ``{prefix}/{authServerId}/{kid}``. The context binds a ciphertext to its owner: a blob
copied under another server's or kid's name fails to decrypt, and CloudTrail records which key of
which server each Decrypt served.

Why a direct ``Encrypt`` and no data key (envelope encryption): an RSA-2048 PKCS#8 DER is about
1.2 KB (RSA-4096: about 2.4 KB), well inside KMS's 4096-byte plaintext limit (KMS-01). Envelope
encryption would add local AES-GCM, a second blob to store and a second thing to get wrong, for no
gain at one Encrypt per key creation and one Decrypt per cold container.

Idempotency: a kid is the thumbprint of its key (``put`` checks it), so a retried ``put`` for the same
kid carries the same key. ``put`` creates the secret only if absent and never overwrites: when the secret exists it
decrypts it and checks that it holds this very key (success) or raises (someone else's material
under our name: left untouched for a human). A retried run therefore can never replace the material
a published key depends on (KEY-09).

Retirement uses ``DeleteSecret`` with a recovery window (default 30 days) so a mistaken retirement
can be undone with ``RestoreSecret``; ``force=True`` skips it for emergency revocation.

Every AWS or parsing failure surfaces as ``KeyMaterialError`` naming the server, kid and AWS error
code. Neither clear nor encrypted key bytes ever reach a message or a log line of ours. botocore's
own DEBUG logging prints request parameters (the KMS ``Plaintext`` included): the ``botocore`` logger
must never run at DEBUG in a deployed stage.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey

from chalicelib.keys.errors import KeyMaterialError
from chalicelib.keys.jwk import private_key_from_der, private_key_to_der, thumbprint

logger = logging.getLogger(__name__)

KMS_PLAINTEXT_LIMIT = 4096
TAG_SERVER = "tokenmint:authServerId"
TAG_KID = "tokenmint:kid"
DEFAULT_RECOVERY_WINDOW_DAYS = 30

# Characters Secrets Manager allows in a name, minus "/" which separates our path segments.
_SEGMENT = re.compile(r"^[A-Za-z0-9_+=.@-]{1,128}$")
_GONE = ("ResourceNotFoundException",)


class KeyMaterialStore:
    """Encrypted private keys of every authorization server, one secret per key."""

    def __init__(
        self,
        kms_client: Any,
        secrets_client: Any,
        kms_key_id: str,
        secret_prefix: str,
        recovery_window_days: int = DEFAULT_RECOVERY_WINDOW_DAYS,
    ) -> None:
        if not 7 <= recovery_window_days <= 30:
            raise ValueError("Secrets Manager recovery windows are 7 to 30 days")
        self._kms = kms_client
        self._secrets = secrets_client
        self._kms_key_id = kms_key_id
        self._prefix = secret_prefix.rstrip("/")
        self._recovery_window_days = recovery_window_days

    def secret_name(self, auth_server_id: str, kid: str) -> str:
        _check_segment(auth_server_id, "authorization server id")
        _check_segment(kid, "kid")
        return f"{self._prefix}/{auth_server_id}/{kid}"

    def put(self, auth_server_id: str, kid: str, private_key: RSAPrivateKey) -> None:
        """Encrypt and store ``private_key`` under ``kid``; a no-op if already stored (see module doc)."""
        name = self.secret_name(auth_server_id, kid)
        if thumbprint(private_key) != kid:
            raise KeyMaterialError(f"kid {kid!r} is not the thumbprint of the key given for {auth_server_id!r}")
        der = private_key_to_der(private_key)
        if len(der) > KMS_PLAINTEXT_LIMIT:
            raise KeyMaterialError(f"key {kid!r} is too large for a direct KMS Encrypt")
        context = _context(auth_server_id, kid)
        ciphertext = self._call(
            "Encrypt", auth_server_id, kid,
            lambda: self._kms.encrypt(KeyId=self._kms_key_id, Plaintext=der, EncryptionContext=context),
        )["CiphertextBlob"]
        try:
            self._secrets.create_secret(
                Name=name,
                SecretBinary=ciphertext,
                Description=f"KMS-encrypted signing key {kid} of authorization server {auth_server_id}",
                Tags=[{"Key": TAG_SERVER, "Value": auth_server_id}, {"Key": TAG_KID, "Value": kid}],
            )
        except ClientError as exc:
            if _code(exc) != "ResourceExistsException":
                raise _wrap("CreateSecret", auth_server_id, kid, exc) from exc
            self._confirm_existing(auth_server_id, kid, private_key)
            return
        except BotoCoreError as exc:
            raise _wrap("CreateSecret", auth_server_id, kid, exc) from exc
        logger.info("stored signing key material", extra={"authServerId": auth_server_id, "kid": kid})

    def load(self, auth_server_id: str, kid: str) -> RSAPrivateKey:
        """Fetch, decrypt and parse the private key of ``kid`` (one Secrets Manager + one KMS call).

        A refusal (AWS failure, tampered ciphertext, wrong encryption context, material of another kid) is
        logged here at ERROR, naming the server, kid and AWS error code only, and raised.
        """
        try:
            return self._load(auth_server_id, kid)
        except KeyMaterialError as exc:
            logger.error("signing key material refused: %s", exc, extra={"authServerId": auth_server_id, "kid": kid})
            raise

    def _load(self, auth_server_id: str, kid: str) -> RSAPrivateKey:
        name = self.secret_name(auth_server_id, kid)
        secret = self._call(
            "GetSecretValue", auth_server_id, kid, lambda: self._secrets.get_secret_value(SecretId=name)
        )
        ciphertext = secret.get("SecretBinary")
        if not ciphertext:
            raise KeyMaterialError(f"secret of key {kid!r} of {auth_server_id!r} holds no binary ciphertext")
        plaintext = self._call(
            "Decrypt", auth_server_id, kid,
            lambda: self._kms.decrypt(
                CiphertextBlob=ciphertext, EncryptionContext=_context(auth_server_id, kid), KeyId=self._kms_key_id
            ),
        )["Plaintext"]
        try:
            key = private_key_from_der(plaintext, trusted=True)  # KMS-authenticated; thumbprint checked below
        except ValueError:
            raise KeyMaterialError(f"material of key {kid!r} of {auth_server_id!r} is not an RSA key") from None
        # Guards against material filed under the wrong kid by a bug outside this class (KEY-11).
        if thumbprint(key) != kid:
            raise KeyMaterialError(f"material of key {kid!r} of {auth_server_id!r} belongs to another kid")
        return key

    def destroy(self, auth_server_id: str, kid: str, *, force: bool = False) -> None:
        """Schedule deletion of one key's secret (immediately with ``force``); a missing secret is fine."""
        self._delete(self.secret_name(auth_server_id, kid), auth_server_id, kid, force)

    def destroy_all(self, auth_server_id: str, *, force: bool = False) -> list[str]:
        """Delete every key secret of a server (server deleted); returns the kids deleted."""
        kids = list(self.stored(auth_server_id))
        prefix = f"{self._prefix}/{auth_server_id}/"
        for kid in kids:
            self._delete(prefix + kid, auth_server_id, kid, force)
        return kids

    def stored(self, auth_server_id: str) -> dict[str, datetime | None]:
        """The kids that have material stored for a server, with each secret's creation time."""
        _check_segment(auth_server_id, "authorization server id")
        return {kid: created for server_id, kid, created in self._live(f"{auth_server_id}/", auth_server_id)
                if server_id == auth_server_id}

    def stored_servers(self) -> dict[str, datetime | None]:
        """Every authorization server that has key material stored, with its newest secret's creation time (to find
        the material of deleted servers whose own clean-up failed)."""
        servers: dict[str, datetime | None] = {}
        for server_id, _kid, created in self._live("", "*"):
            newest = servers.get(server_id)
            servers[server_id] = created if newest is None or (created and created > newest) else newest
        return servers

    def _live(self, below: str, what: str) -> Iterator[tuple[str, str, datetime | None]]:
        """(server id, kid, creation time) of every live key secret whose name starts with the stack's prefix and
        ``below``. The name filter is a case-insensitive prefix match: names are re-checked exactly and the server
        tag must agree, so server "aus1" never touches the keys of "AUS1"."""
        prefix = f"{self._prefix}/"
        try:
            pages = self._secrets.get_paginator("list_secrets").paginate(
                Filters=[{"Key": "name", "Values": [prefix + below]}])
            for page in pages:
                for entry in page.get("SecretList", []):
                    name = entry["Name"]
                    server_id, _, kid = name[len(prefix):].partition("/")
                    tags = {t["Key"]: t["Value"] for t in entry.get("Tags", [])}
                    if (name.startswith(prefix + below) and _SEGMENT.match(server_id) and _SEGMENT.match(kid)
                            and tags.get(TAG_SERVER) == server_id and entry.get("DeletedDate") is None):
                        yield server_id, kid, entry.get("CreatedDate")
        except (ClientError, BotoCoreError) as exc:
            raise _wrap("ListSecrets", what, None, exc) from exc

    def _confirm_existing(self, auth_server_id: str, kid: str, private_key: RSAPrivateKey) -> None:
        try:
            stored = self.load(auth_server_id, kid)
        except KeyMaterialError as exc:
            raise KeyMaterialError(
                f"a secret for key {kid!r} of {auth_server_id!r} already exists but could not be verified"
                f" ({exc}); not overwritten"
            ) from exc
        if stored.public_key().public_numbers() != private_key.public_key().public_numbers():
            raise KeyMaterialError(f"a different key is already stored as {kid!r} of {auth_server_id!r}")

    def _delete(self, name: str, auth_server_id: str, kid: str, force: bool) -> None:
        options: dict[str, Any] = (
            {"ForceDeleteWithoutRecovery": True} if force else {"RecoveryWindowInDays": self._recovery_window_days}
        )
        try:
            self._secrets.delete_secret(SecretId=name, **options)
        except ClientError as exc:
            if _code(exc) in _GONE or (not force and _already_scheduled(exc)):
                return
            raise _wrap("DeleteSecret", auth_server_id, kid, exc) from exc
        except BotoCoreError as exc:
            raise _wrap("DeleteSecret", auth_server_id, kid, exc) from exc
        logger.info("deleted signing key material", extra={"authServerId": auth_server_id, "kid": kid, "force": force})

    def _call(self, operation: str, auth_server_id: str, kid: str, thunk: Callable[[], Any]) -> Any:
        try:
            return thunk()
        except (ClientError, BotoCoreError) as exc:
            raise _wrap(operation, auth_server_id, kid, exc) from exc


def _context(auth_server_id: str, kid: str) -> dict[str, str]:
    return {"authServerId": auth_server_id, "kid": kid}


def _check_segment(value: str, what: str) -> None:
    if not isinstance(value, str) or not _SEGMENT.match(value):
        raise KeyMaterialError(f"invalid {what} for a secret name")


def _code(exc: ClientError) -> str:
    return str(exc.response.get("Error", {}).get("Code", ""))


def _already_scheduled(exc: ClientError) -> bool:
    # A second DeleteSecret on a secret already scheduled for deletion is an InvalidRequestException;
    # for a retried retirement that is success.
    message = str(exc.response.get("Error", {}).get("Message", "")).lower()
    return _code(exc) == "InvalidRequestException" and (
        "marked deleted" in message or "scheduled for deletion" in message
    )


def _wrap(operation: str, auth_server_id: str, kid: str | None, exc: Exception) -> KeyMaterialError:
    # Only the operation and the AWS error code: AWS messages are not ours to vouch for.
    code = _code(exc) if isinstance(exc, ClientError) else type(exc).__name__
    subject = f"key {kid!r} of {auth_server_id!r}" if kid else f"keys of {auth_server_id!r}"
    return KeyMaterialError(f"{operation} failed for {subject}: {code}")
