"""Decision rules as data: each one article's view on one answer, cited to the section that says it.

Each rule is one article's view on one answer: when the condition holds, every stack the rule
favours gains its weight, for one reason stated in our own words, citing the section of the article
that says it. An article that makes the same point in several sections counts once, citing the
section where it says it most plainly; where several articles agree, each has its own rule, so a
stack's score is how many articles back it for these answers, and how firmly.

The weight scale is WEIGHT_SCALE below, printed by `stackpick rules`; the engine that adds the
weights up is `stackpick.recommendation`.

No weight is negative, which keeps the properties the tests check over every answer combination:
a JavaScript team never pulls an Express recommendation away, more concurrency never lowers
Express's score, and needing an admin or Python's ML libraries never lowers a Python stack's.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from stackpick.conditions import Condition, matches, when
from stackpick.sources import EXPRESS_VS_DJANGO as EVD
from stackpick.sources import KINSTA as KIN
from stackpick.sources import MATCHUPS as MAT
from stackpick.sources import WHICH_BACKEND as WHI
from stackpick.sources import Citation, cite

WEIGHT_SCALE: tuple[tuple[int, str], ...] = (
    (1, "lean: mentioned in passing, hedged, or with a condition the answers cannot check"),
    (2, "fit: named as a use case or a strength of that stack"),
    (3, "strong: the stack is called the best or first choice for it"),
    (4, "decisive: said to outweigh the other factors, or only this stack brings it"),
)

# A lead this small could be undone by a single article naming the other stack as a fit (weight 2),
# so the user is told the call was close and between which stacks.
CLOSE_CALL_MARGIN = 2

TIE_BREAK = ("Equal scores go to the stack more of the articles back for these answers; if that is "
             "equal too, to the one with more points from what you are building (app_type); after "
             "that, to the order of the stack question: Express, Flask, Django.")


@dataclass(frozen=True)
class Rule:
    """When `condition` holds, each of `stacks` gains `weight`, because of `reason`, per `citation`."""

    id: str
    condition: Condition
    stacks: tuple[str, ...]
    weight: int
    reason: str
    citation: Citation


PY = ("flask", "django")
EX = ("express",)
FL = ("flask",)
DJ = ("django",)


def rule(id: str, condition: Condition, stacks: tuple[str, ...], weight: int, reason: str,
         citation: Citation) -> Rule:
    """A row of the table below (positional, so the table stays readable)."""
    return Rule(id, condition, stacks, weight, reason, citation)


RULES: tuple[Rule, ...] = (
    # What is being built (app_type).
    rule("realtime-matchups", when(app_type="realtime"), EX, 2,
         "Chat and multiplayer games open the list of what Node.js is used for.",
         cite(MAT, "Section 3 - Use Cases")),
    rule("realtime-which", when(app_type="realtime"), EX, 3,
         "For live, data-heavy apps such as chat, Node's asynchronous design makes it the first pick.",
         cite(WHI, "Node.js vs Python use cases")),
    rule("realtime-kinsta", when(app_type="realtime"), EX, 3,
         "An event-based runtime is the best match for real-time apps juggling many requests at once.",
         cite(KIN, "Use Cases")),
    rule("realtime-evd", when(app_type="realtime"), EX, 3,
         "Real-time apps come first among Node's uses, helped by how well it handles WebSockets.",
         cite(EVD, "Use cases of Node.js")),
    rule("streaming-which", when(app_type="streaming"), EX, 3,
         "Streaming platforms are named beside chat as the projects Node.js suits best.",
         cite(WHI, "Node.js vs Python use cases")),
    rule("streaming-kinsta", when(app_type="streaming"), EX, 2,
         "Data streaming is on the list of applications built with Node.js.",
         cite(KIN, "Use Cases")),
    rule("streaming-evd", when(app_type="streaming"), EX, 3,
         "Streaming apps share the top of Node's list with real-time apps.",
         cite(EVD, "Use cases of Node.js")),
    rule("streaming-media-evd", when(app_type="streaming"), PY, 1,
         "Audio and video apps are listed among Python's uses, for its media libraries; media "
         "processing, not the streaming itself.",
         cite(EVD, "Use cases of Python")),
    rule("iot-evd", when(app_type="iot"), EX, 2,
         "IoT back ends are named a good fit: Node serves many devices' concurrent requests.",
         cite(EVD, "Use cases of Node.js")),
    rule("spa-matchups", when(app_type="spa_backend"), EX, 2,
         "Single-page apps are among Node's listed uses, with JavaScript on both sides.",
         cite(MAT, "Section 3 - Use Cases")),
    rule("spa-kinsta", when(app_type="spa_backend"), EX, 2,
         "Single-page applications are on the list of what Node.js is used for.",
         cite(KIN, "Use Cases")),
    rule("spa-evd", when(app_type="spa_backend"), EX, 2,
         "SPAs and other web apps that must be fast and scalable are named for Node.",
         cite(EVD, "Use cases of Node.js")),
    rule("api-matchups-flask", when(app_type="rest_api"), FL, 3,
         "REST APIs are a listed Flask use, and Flask is the pick when an API wants flexibility.",
         cite(MAT, "Section 3 - Use Cases")),
    rule("api-matchups-node", when(app_type="rest_api"), EX, 1,
         "REST APIs appear on Node's list too, without the emphasis the article gives Flask.",
         cite(MAT, "Section 3 - Use Cases")),
    rule("api-kinsta", when(app_type="rest_api"), EX, 2,
         "Applications built around a JSON API are on Node's list of uses.",
         cite(KIN, "Use Cases")),
    rule("microservice-matchups-flask", when(app_type="microservice"), FL, 3,
         "Microservices are a listed Flask use, and Flask is the pick for them.",
         cite(MAT, "Section 3 - Use Cases")),
    rule("microservice-matchups-node", when(app_type="microservice"), EX, 1,
         "Node's light footprint is said to help when scaling out microservices.",
         cite(MAT, "Section 7 - Concurrency and Scalability")),
    rule("microservice-kinsta", when(app_type="microservice"), EX, 2,
         "Light communication and quick processes make many small Node services easy to scale.",
         cite(KIN, "Scalability")),
    rule("microservice-evd", when(app_type="microservice"), EX, 2,
         "Splitting easily into microservices is one of the three reasons given for Node's scalability.",
         cite(EVD, "Node.js scalability")),
    rule("cms-matchups", when(app_type="cms"), DJ, 2,
         "Content management systems are a listed Django use.",
         cite(MAT, "Section 3 - Use Cases")),
    rule("ecommerce-matchups", when(app_type="ecommerce"), DJ, 2,
         "E-commerce platforms are a listed Django use.",
         cite(MAT, "Section 3 - Use Cases")),
    rule("ecommerce-kinsta", when(app_type="ecommerce"), EX, 2,
         "The summary table names e-commerce platforms among Node's natural fits.",
         cite(KIN, "Node.js vs Python: Which One Should You Pick?")),
    rule("social-matchups", when(app_type="social"), DJ, 2,
         "Social networking sites are a listed Django use.",
         cite(MAT, "Section 3 - Use Cases")),
    rule("data-ml-matchups", when(app_type="data_ml"), DJ, 1,
         "Data tools and ML apps are listed for Django when they also need a web interface.",
         cite(MAT, "Section 3 - Use Cases")),
    rule("data-ml-which", when(app_type="data_ml"), PY, 2,
         "Machine learning, numerical computing and deep learning are named as Python work.",
         cite(WHI, "Node.js vs Python use cases")),
    rule("data-ml-kinsta", when(app_type="data_ml"), PY, 2,
         "Python is a top choice for data science, neural networks and ML systems.",
         cite(KIN, "Use Cases")),
    rule("data-ml-evd", when(app_type="data_ml"), PY, 3,
         "AI development is the field where Python stands out most, for its libraries and simplicity.",
         cite(EVD, "Use cases of Python")),
    rule("business-which", when(app_type="business"), PY, 2,
         "Banking and insurance lean to Python back ends for handling big data sets.",
         cite(WHI, "Node.js vs Python use cases")),
    rule("business-kinsta", when(app_type="business"), PY, 2,
         "The summary table names business applications as a good use of Python.",
         cite(KIN, "Node.js vs Python: Which One Should You Pick?")),
    rule("prototype-matchups", when(app_type="prototype"), FL, 2,
         "Prototyping is a listed Flask use.",
         cite(MAT, "Section 3 - Use Cases")),
    rule("prototype-evd", when(app_type="prototype"), PY, 1,
         "Python's standard library gets a prototype started quickly (the article credits Node with "
         "fast development too).",
         cite(EVD, "Speedy development process")),
    # Who builds it (team_language).
    rule("team-js-matchups", when(team_language="javascript"), EX, 2,
         "A team fluent in JavaScript gets productive on Node.js fastest.",
         cite(MAT, "Section 5 - Learning Curve and Community")),
    rule("team-js-which", when(team_language="javascript"), EX, 2,
         "Node holds little that is new for JavaScript developers, who keep one language front and back.",
         cite(WHI, "Learning curve")),
    rule("team-js-kinsta", when(team_language="javascript"), EX, 1,
         "How comfortable you are with a technology belongs in the choice.",
         cite(KIN, "Summary")),
    rule("team-js-evd", when(team_language="javascript"), EX, 4,
         "Starting with the right team matters more to success than any stack's individual strengths.",
         cite(EVD, "When to use Python and when Node.js?")),
    rule("team-python-kinsta", when(team_language="python"), PY, 1,
         "How comfortable you are with a technology belongs in the choice.",
         cite(KIN, "Summary")),
    rule("team-python-evd", when(team_language="python"), PY, 4,
         "Starting with the right team matters more to success than any stack's individual strengths.",
         cite(EVD, "When to use Python and when Node.js?")),
    rule("team-python-matchups", when(team_language="python", project_size=("medium", "large")), DJ, 2,
         "Teams who like Python and need a full-featured framework are pointed to Django.",
         cite(MAT, "Section 5 - Learning Curve and Community")),
    rule("beginners-which", when(team_language="neither"), PY, 2,
         "Newcomers find Python the gentlest way into backend work; Node's asynchronous style is "
         "harder to get used to.",
         cite(WHI, "Learning curve")),
    rule("beginners-matchups", when(team_language="neither"), FL, 2,
         "Flask's minimal core is quicker to learn than Django's conventions.",
         cite(MAT, "Section 5 - Learning Curve and Community")),
    rule("beginners-kinsta", when(team_language="neither"), EX, 2,
         "Plenty of tutorials and a big community make Node.js a common first step for web beginners.",
         cite(KIN, "Key Node.js Features")),
    # Load (concurrency).
    rule("concurrency-matchups", when(concurrency=("medium", "high")), EX, 2,
         "An event loop serves many concurrent, I/O-bound connections on a single thread.",
         cite(MAT, "Section 7 - Concurrency and Scalability")),
    rule("concurrency-kinsta", when(concurrency="high"), EX, 2,
         "Non-blocking I/O lets one Node process hold thousands of connections at once.",
         cite(KIN, "Architecture")),
    rule("concurrency-evd", when(concurrency="high"), EX, 2,
         "Event-driven servers take on more simultaneous calls than conventional ones.",
         cite(EVD, "High performance")),
    rule("high-load-which", when(concurrency="high"), PY, 1,
         "Outside real-time work, Python is the suggestion when high load is the concern (no reason "
         "is given).",
         cite(WHI, "Node.js vs Python performance")),
    # Heavy computation (cpu_heavy).
    rule("cpu-kinsta", when(cpu_heavy=True), EX, 2,
         "Python runs slower than Node.js and is called a poor fit for calculation-heavy apps.",
         cite(KIN, "Speed")),
    rule("cpu-which", when(cpu_heavy=True), PY, 2,
         "Node suits work without heavy processing, while numerical computing is listed as Python's.",
         cite(WHI, "Node.js vs Python use cases")),
    # What comes built in (needs_admin).
    rule("admin-matchups", when(needs_admin=True), DJ, 4,
         "Django ships an ORM, an admin panel and templates; with Flask or Node you assemble them.",
         cite(MAT, "Section 1 - Language and Core Concepts")),
    # Size (project_size).
    rule("small-matchups", when(project_size="small"), FL, 2,
         "Small and medium web apps are Flask's ground, and smaller projects are sent its way.",
         cite(MAT, "Section 3 - Use Cases")),
    rule("small-which", when(project_size="small"), EX, 2,
         "Small apps that must run fast are where Node.js is advised.",
         cite(WHI, "Node.js vs Python use cases")),
    rule("medium-matchups", when(project_size="medium"), FL, 1,
         "Medium-sized web apps are still on Flask's list.",
         cite(MAT, "Section 3 - Use Cases")),
    rule("large-matchups", when(project_size="large"), DJ, 3,
         "Large, complex web applications head Django's list, and Django is the pick for them.",
         cite(MAT, "Section 3 - Use Cases")),
    rule("large-which", when(project_size="large"), PY, 2,
         "Python is advised for large systems that need stability, and Node for smaller ones.",
         cite(WHI, "Node.js vs Python use cases")),
    rule("large-kinsta", when(project_size="large"), EX, 2,
         "A large Python codebase is called hard to manage, and Node easy to scale both ways.",
         cite(KIN, "Node.js vs Python: Which One Should You Pick?")),
    # Libraries (ml_libraries).
    rule("ml-evd", when(ml_libraries=True), PY, 4,
         "For AI and machine-learning work Python is the clear choice: TensorFlow and scikit-learn "
         "live there.",
         cite(EVD, "It\u2019s the leading programming language of data science")),  # the article's apostrophe
    rule("ml-which", when(ml_libraries=True), PY, 2,
         "pandas, NumPy, scikit-learn and PyTorch are among the reasons to pick Python.",
         cite(WHI, "Frameworks, Libraries, and Community")),
)


def fired(answers: Mapping[str, Any]) -> list[Rule]:
    """The rules whose conditions hold for these (complete) answers, in table order."""
    return [r for r in RULES if matches(r.condition, answers)]
