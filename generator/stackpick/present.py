"""Text views of the rules and of a recommendation, wrapped to the terminal, coloured only on one."""

from __future__ import annotations

from stackpick import alternatives
from stackpick.conditions import describe
from stackpick.disagreements import DISAGREEMENTS
from stackpick.recommendation import Recommendation
from stackpick.rules import CLOSE_CALL_MARGIN, RULES, TIE_BREAK, WEIGHT_SCALE
from stackpick.stacks import BY_KEY as STACKS
from stackpick.terminal import Terminal, for_stream


def points(n: int) -> str:
    """`1 point`, `3 points`."""
    return f"{n} point" if n == 1 else f"{n} points"


def close_call_rule() -> str:
    """The close-call threshold in words, as `rules` and the recommendation state it."""
    return f"a lead of {points(CLOSE_CALL_MARGIN)} or less over the runner-up is a close call"


def verdict(rec: Recommendation) -> list[str]:
    """How firm the recommendation is, in sentences: the margin, a close call, a tie."""
    title = STACKS[rec.stack].title
    second = STACKS[rec.runner_up].title
    if not rec.close_call:
        return [f"{title} leads {second}, the runner-up, by {points(rec.margin)}."]
    between = [STACKS[s].title for s in rec.close_call_between]
    names = f"{', '.join(between[:-1])} and {between[-1]}"
    rule = f"a lead of {points(CLOSE_CALL_MARGIN)} or less is close"
    if rec.tie_break:
        return [f"Close call between {names}: {rule}. {rec.tie_break}"]
    return [f"Close call between {names}: {STACKS[rec.stack].framework} leads by {points(rec.margin)}, "
            f"and {rule}."]


def recommendation(rec: Recommendation, term: Terminal | None = None) -> str:
    """The recommendation as a person reads it: the stack, scores, how close, why, disagreements,
    and what would change it."""
    term = term or for_stream()
    scores = "  ".join(f"{s} {rec.scores[s]}" for s in rec.ranking)
    lines = [term.paint(f"Recommended: {STACKS[rec.stack].title}", "bold", "green"),
             f"Scores: {scores}"]
    for sentence in verdict(rec):
        lines += [term.paint(line, "yellow") if rec.close_call else line for line in term.wrap(sentence)]
    lines += ["", term.paint("Why:", "bold")]
    favours = [", ".join(r.stacks) for r in rec.reasons]
    width = max((len(f) for f in favours), default=0)
    # The text column: after "  +3 " and the stacks; on a narrow terminal further left, so that even
    # the source lines (8 further in) keep room for a long title word.
    column = min(2 + 3 + width + 2, max(4, term.width - 40))
    for reason, favour in zip(rec.reasons, favours, strict=True):
        head = f"  +{reason.weight} {favour:<{width}}  "
        body = term.wrap(head + reason.text, hang=column)
        lines += body
        source = term.wrap("source: " + reason.citation.text(), indent=column, hang=column + 8)
        lines += [term.paint(line, "dim") for line in source]
    if rec.disagreements:
        lines += ["", term.paint("Where the articles disagree:", "bold")]
        for item in rec.disagreements:
            lines += term.wrap("- " + item.text(), indent=2, hang=4)
    lines += ["", term.paint("What would change it:", "bold")]
    for alternative in rec.alternatives:
        lines += term.wrap("- " + alternative.text, indent=2, hang=4)
    return "\n".join(lines)


def heading(term: Terminal, text: str) -> list[str]:
    """A bold heading, wrapped like everything else."""
    return [term.paint(line, "bold") for line in term.wrap(text)]


def rules_text(term: Terminal | None = None) -> str:
    """Every rule with its condition, stacks, weight, reason and cited section; the weight scale,
    the close-call threshold, the tie-break and the disagreements."""
    term = term or for_stream()
    lines = heading(term, "Weights (points a rule adds to each stack it favours):")
    for weight, meaning in WEIGHT_SCALE:
        lines += term.wrap(f"{weight}  {meaning}", indent=2, hang=5)
    lines += ["", *term.wrap(f"Close call: {close_call_rule()}."), *term.wrap(f"Ties: {TIE_BREAK}"),
              *term.wrap(f"What would change it: the fewest answer changes that make another stack win. "
                         f"{alternatives.CHOICE}"),
              "", *heading(term, f"Rules ({len(RULES)}, each one article's view on one answer):")]
    for rule in RULES:
        lines += ["", *term.wrap(f"{rule.id}  +{rule.weight} {', '.join(rule.stacks)}  when "
                                 f"{describe(rule.condition)}", hang=4)]
        lines += term.wrap(rule.reason, indent=4)
        lines += [term.paint(line, "dim")
                  for line in term.wrap("source: " + rule.citation.text(), indent=4, hang=12)]
    lines += ["", *heading(term, "Where the articles disagree (shown when the condition holds):")]
    for item in DISAGREEMENTS:
        lines += ["", *term.wrap(f"{item.id}  when {describe(item.condition)}", hang=4)]
        lines += term.wrap(item.text(), indent=4)
    return "\n".join(lines)

