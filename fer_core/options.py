"""Options declared once: a config field states its label, help, choices and range beside its
default (`option(...)`), and `fer train`, the Train page and the Study factors are built from
that declaration (`spec`, `specs`), so adding an option means touching its field and the code
that uses it."""

import dataclasses
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

HELP = "help"
_UI = "option_ui"  # the rest of the declaration: label, choices, range, step


@dataclass(frozen=True)
class Option:
    """One config field as a user meets it."""

    name: str  # the field's name (the CLI spells it --name-with-dashes)
    label: str  # the widget's label; lower-cased, a study factor's title
    help: str
    default: Any
    kind: type  # bool, int, float or str
    choices: tuple | None = None  # the allowed values, or None
    low: float | None = None  # the allowed range of a number
    high: float | None = None
    step: float | None = None  # a number widget's step, which also sets its shown digits
    cli: str | None = None  # the flag's name where it is not the field's (`--rotate`, not `--rotate-deg`)

    @property
    def flag(self) -> str:
        return "--" + (self.cli or self.name).replace("_", "-")

    @property
    def title(self) -> str:
        return self.label[0].lower() + self.label[1:]

    @property
    def number_format(self) -> str | None:
        """A printf format that shows the step's digits (0.0001 -> %.4f); None for integers."""
        if self.kind is not float:
            return None
        return f"%.{max(1, -math.floor(math.log10(self.step or 0.1)))}f"

    def check(self, value: Any) -> Any:
        """`value`, or ValueError naming the option and what it allows."""
        if self.choices is not None and value not in self.choices:
            raise ValueError(f"{self.name} must be one of {', '.join(map(str, self.choices))}, not {value!r}")
        if self.low is not None and not self.low <= value <= (self.high if self.high is not None else math.inf):
            raise ValueError(f"{self.name} must be between {self.low} and {self.high}, not {value}")
        return value

    def parse(self, text: str) -> Any:
        """A value typed by a user (study values, the CLI), checked."""
        if self.kind is bool:
            if text not in ("off", "on"):
                raise ValueError(f"{self.name} is off or on, not {text!r}")
            return text == "on"
        return self.check(self.kind(text))


def declaration(
    *,
    help: str,
    label: str | None = None,
    choices: tuple | Callable[[], tuple] | None = None,
    low: float | None = None,
    high: float | None = None,
    step: float | None = None,
    cli: str | None = None,
) -> dict:
    """Field metadata for an option: its help and how a user sets it."""
    return {HELP: help, _UI: dict(label=label, choices=choices, low=low, high=high, step=step, cli=cli)}


def option(default: Any = dataclasses.MISSING, *, help: str, metadata: dict | None = None, **ui):
    """A config field with its one declaration (see `declaration`)."""
    return dataclasses.field(default=default, metadata={**declaration(help=help, **ui), **(metadata or {})})


def spec(cls: type, name: str) -> Option:
    """The option a config field declares."""
    f = cls.__dataclass_fields__[name]
    if HELP not in f.metadata:
        raise KeyError(f"{cls.__name__}.{name} declares no option")
    ui = dict(f.metadata.get(_UI) or {})
    choices = ui.pop("choices", None)
    default = f.default if f.default is not dataclasses.MISSING else f.default_factory()
    return Option(
        name=name,
        label=ui.pop("label", None) or name.replace("_", " ").capitalize(),
        help=f.metadata[HELP],
        default=default,
        kind=type(default),
        choices=tuple(choices() if callable(choices) else choices) if choices is not None else None,
        **ui,
    )


def specs(cls: type) -> list[Option]:
    """Every option `cls` declares, in field order."""
    return [spec(cls, f.name) for f in dataclasses.fields(cls) if HELP in f.metadata]
