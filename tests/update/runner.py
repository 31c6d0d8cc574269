"""stackpick's CLI on the template history of a test repository, for tests that need a real process
(signals): `python -m tests.update.runner SOURCE ARGS...` is `stackpick ARGS...` where SOURCE is a
test template repository, or a history bundle built from one (faster: nothing to build per run)."""

from __future__ import annotations

import sys
from pathlib import Path

from stackpick import history, store


def use_history(source: Path) -> None:
    """Make the template store come from SOURCE (a repository's tags and templates/, or a bundle)."""

    def built(tmp: Path) -> tuple[Path, str]:
        out = tmp / store.BUNDLE_NAME
        newest = history.release_tags(source)[-1][0]
        return out, history.build(out, source / "templates", str(newest), source)

    def prebuilt(tmp: Path) -> tuple[Path, str]:
        heads = store.tags(source)
        main = store._heads(source)[history.MAIN]
        return source, next(ref.removeprefix("refs/tags/") for ref, sha in heads.items() if sha == main)

    store._source_bundle = prebuilt if source.suffix == ".bundle" else built  # type: ignore[assignment]
    store._checkout_fingerprint = lambda templates: None  # type: ignore[assignment]


if __name__ == "__main__":
    use_history(Path(sys.argv[1]))
    from stackpick import launcher

    # The installed console script's own entry, so a stop signal is handled as it is for users: one
    # landing after the command has returned no longer changes the exit code. (`cli.main(argv)` gives
    # its caller the default handlers back, and such a signal then killed this process: exit -15.)
    sys.argv[1:] = sys.argv[2:]
    raise SystemExit(launcher.run())
