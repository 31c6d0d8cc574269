"""`stackpick recommend` and `stackpick rules`: the decision alone, for people and for scripts."""

from __future__ import annotations

import json
import sys
from collections.abc import Mapping

from stackpick import answers, present
from stackpick.errors import ExitCode
from stackpick.questions import DECISION_QUESTIONS
from stackpick.recommendation import recommend


def run(loaded: Mapping[str, object], *, use_defaults: bool, as_json: bool) -> int:
    """Ask what is missing on a terminal (never for --json), else assume the defaults and say which;
    print the recommendation as text or as one JSON object."""
    resolver = answers.Resolver(dict(loaded), use_defaults=use_defaults,
                                prompt=answers.interactive() and not as_json)
    missing = resolver.missing(DECISION_QUESTIONS)
    if resolver.prompt:
        resolver.require(DECISION_QUESTIONS)
    elif missing:
        # A script asking for the decision gets it: unanswered questions take their defaults.
        print(f"stackpick: assuming defaults for: {', '.join(missing)}", file=sys.stderr)
    rec = recommend(resolver.answers)
    print(json.dumps(rec.as_dict(), indent=2) if as_json else present.recommendation(rec))
    return ExitCode.OK


def rules() -> int:
    """Print the rule book: weights, close calls, tie-break, every rule and disagreement."""
    print(present.rules_text())
    return ExitCode.OK
