"""Settings read from the environment: the only place the app looks at environment variables."""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Self


class ConfigError(Exception):
    """The environment lacks a setting or holds an invalid one; the message names the variable."""


@dataclass(frozen=True)
class Settings:
    """What the app needs from its environment, validated once at startup."""

    secret_key: str
    # How many reverse proxies sit in front of the app and append X-Forwarded-* headers.
    proxy_fix_hops: int = 0

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> Self:
        """Read and validate the settings; raise ConfigError naming the first bad variable."""
        secret_key = env.get("SECRET_KEY", "")
        if not secret_key.strip():
            # No built-in fallback: a default key would sign sessions with a value anyone can read.
            raise ConfigError(
                "SECRET_KEY is not set: export a long random value (`make install` writes one to .env)"
            )
        raw_hops = env.get("PROXY_FIX_HOPS", "0").strip() or "0"
        try:
            proxy_fix_hops = int(raw_hops)
        except ValueError:
            proxy_fix_hops = -1
        if proxy_fix_hops < 0:
            raise ConfigError(
                f"PROXY_FIX_HOPS must be the number of proxies in front of the app (0 or more), "
                f"got {raw_hops!r}"
            )
        return cls(secret_key=secret_key, proxy_fix_hops=proxy_fix_hops)
