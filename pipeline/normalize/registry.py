"""The ordered registry of normalizer rules.

A rule is a small function that receives the rule context (token stream, document, options) and
edits the tokens through it, so that every edit is recorded. Built-in rules register themselves when
their module is imported; plugins add theirs through the `pipeline.rules` entry-point group.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from types import ModuleType
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from pipeline.normalize.engine import RuleContext

Kind = Literal["fix", "suggest", "check"]

log = logging.getLogger(__name__)

# The order of the built-in modules is the order the stages run in: structure first (so text rules
# see final headings and unwrapped paragraphs), then links (so text rules can skip URLs), then words.
BUILTIN_MODULES = (
    "pipeline.normalize.rules.structure",
    "pipeline.normalize.rules.links",
    "pipeline.normalize.rules.typos",
    "pipeline.normalize.rules.typography",
)
ENTRY_POINT_GROUP = "pipeline.rules"


@dataclass(frozen=True)
class Rule:
    """One normalizer rule: an ID, a one-line description, a kind and the function that applies it.

    kind: `fix` edits are applied by default; `suggest` edits are only reported unless the user asks
    for suggested fixes; `check` rules never edit, they only report diagnostics.
    """

    id: str
    description: str
    kind: Kind
    func: Callable[[RuleContext], None]
    order: int = 0

    def __call__(self, ctx: RuleContext) -> None:
        self.func(ctx)


_RULES: dict[str, Rule] = {}
_counter = 0


def rule(rule_id: str, kind: Kind = "fix", order: int | None = None) -> Callable[[Callable], Rule]:
    """Register the decorated function as a rule; its docstring's first line is the description."""

    def decorate(func: Callable[[RuleContext], None]) -> Rule:
        global _counter
        _counter += 1
        doc = (func.__doc__ or "").strip().splitlines()
        r = Rule(rule_id, doc[0] if doc else rule_id, kind, func, _counter if order is None else order)
        _RULES[rule_id] = r
        return r

    return decorate


def _collect(obj: Any) -> Iterable[Rule]:
    if isinstance(obj, Rule):
        yield obj
    elif isinstance(obj, ModuleType):
        # Importing the module registered its rules through @rule; nothing more to collect.
        yield from (v for v in vars(obj).values() if isinstance(v, Rule))
    elif isinstance(obj, Iterable):
        for item in obj:
            yield from _collect(item)
    elif callable(obj):
        yield from _collect(obj())


_loaded = False


def all_rules() -> list[Rule]:
    """Every known rule (built-ins and plugins), in the order they run."""
    global _loaded
    if not _loaded:
        for name in BUILTIN_MODULES:
            importlib.import_module(name)
        _load_plugins()
        _loaded = True
    return sorted(_RULES.values(), key=lambda r: r.order)


def _load_plugins() -> None:
    from importlib.metadata import entry_points

    for ep in entry_points(group=ENTRY_POINT_GROUP):
        if ep.value in BUILTIN_MODULES:
            continue
        try:
            loaded = ep.load()
        except Exception as exc:  # a broken plugin must not take the normalizer down
            log.warning("cannot load normalizer rule plugin %s: %s", ep.name, exc)
            continue
        for r in _collect(loaded):
            if r.id not in _RULES:
                # Plugins run after the built-ins unless they ask for a place.
                _RULES[r.id] = r if r.order else Rule(r.id, r.description, r.kind, r.func, 10_000 + len(_RULES))


def select(enable: Iterable[str] = (), disable: Iterable[str] = ()) -> list[Rule]:
    """The rules to run: all of them, or only those matching `enable`, minus those matching `disable`.

    A selector is a rule ID (`LINK001`) or a prefix (`LINK`, `TYPO00`); `ALL` matches everything.
    """
    enable = [e.upper() for e in enable]
    disable = [d.upper() for d in disable]

    def matches(rule_id: str, selectors: list[str]) -> bool:
        return any(s == "ALL" or rule_id.startswith(s) for s in selectors)

    rules = all_rules()
    if enable:
        rules = [r for r in rules if matches(r.id, enable)]
    return [r for r in rules if not matches(r.id, disable)]


def get(rule_id: str) -> Rule | None:
    all_rules()
    return _RULES.get(rule_id)
