"""Encryption at rest for fødselsnummer: Fernet for the value, a keyed hash (HMAC) to find it.

Keys come from the environment. ``FNR_ENCRYPTION_KEYS`` may hold several comma-separated Fernet
keys: the first encrypts, all decrypt, so keys can be rotated without downtime. ``FNR_OLD_HASH_KEY``
names the hash key being replaced while ``hjelpemiddel privacy rotate-keys`` re-hashes, so lookups
keep finding people not yet re-hashed.
"""
from __future__ import annotations

import hashlib
import hmac
import json
import os

from cryptography.fernet import Fernet, InvalidToken, MultiFernet


class FnrVault:
    def __init__(self, encryption_keys: list[str], hash_key: str, old_hash_key: str = ""):
        if not encryption_keys or not hash_key:
            raise ValueError("fnr keys missing")
        self._primary = Fernet(encryption_keys[0].encode())
        self._fernet = MultiFernet([Fernet(key.encode()) for key in encryption_keys])
        self._hash_key = hash_key.encode()
        self._old_hash_key = old_hash_key.encode() if old_hash_key and old_hash_key != hash_key else None

    def encrypt(self, fnr: str) -> str:
        return self._fernet.encrypt(fnr.encode()).decode()

    def decrypt(self, token: str) -> str:
        try:
            return self._fernet.decrypt(token.encode()).decode()
        except InvalidToken as err:
            raise RuntimeError("fnr could not be decrypted: wrong or missing FNR_ENCRYPTION_KEYS") from err

    def lookup_hash(self, fnr: str) -> str:
        return hmac.new(self._hash_key, fnr.encode(), hashlib.sha256).hexdigest()

    def old_lookup_hash(self, fnr: str) -> str | None:
        if self._old_hash_key is None:
            return None
        return hmac.new(self._old_hash_key, fnr.encode(), hashlib.sha256).hexdigest()

    def lookup_hashes(self, fnr: str) -> list[str]:
        """The hash under the current key, and under the old one while a rotation is under way."""
        old = self.old_lookup_hash(fnr)
        return [self.lookup_hash(fnr)] + ([old] if old else [])

    def is_current(self, token: str) -> bool:
        """Whether the token is encrypted under the first key (so a rotation can skip it)."""
        try:
            self._primary.decrypt(token.encode())
        except InvalidToken:
            return False
        return True

    def reencrypt(self, token: str) -> str:
        """The same fnr encrypted under the first key."""
        try:
            return self._fernet.rotate(token.encode()).decode()
        except InvalidToken as err:
            raise RuntimeError("fnr could not be decrypted: wrong or missing FNR_ENCRYPTION_KEYS") from err


def vault_from_config(config: dict, instance_path: str) -> FnrVault:
    keys = [k.strip() for k in (config.get("FNR_ENCRYPTION_KEYS") or "").split(",") if k.strip()]
    hash_key = config.get("FNR_HASH_KEY") or ""
    old_hash_key = config.get("FNR_OLD_HASH_KEY") or ""
    if keys and hash_key:
        return FnrVault(keys, hash_key, old_hash_key)
    if config["ENV"] == "production":
        raise RuntimeError("FNR_ENCRYPTION_KEYS and FNR_HASH_KEY must be set in production.")
    # Development and demo: keys generated once into the instance folder, never committed.
    path = os.path.join(instance_path, "fnr_keys.json")
    if not os.path.exists(path):
        with open(path, "w") as handle:
            json.dump({"encryption_key": Fernet.generate_key().decode(), "hash_key": Fernet.generate_key().decode()}, handle)
        os.chmod(path, 0o600)
    with open(path) as handle:
        stored = json.load(handle)
    return FnrVault(keys or [stored["encryption_key"]], hash_key or stored["hash_key"])
