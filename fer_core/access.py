"""Who may do what when FER Lab serves a class (issue 37).

Sign-in is off on a laptop: everyone is `LOCAL`, who may do everything, as before. When the app
is configured for a class (`ClassPolicy`, read by the dashboard from `.streamlit/secrets.toml`),
each signed-in person is a teacher (their e-mail address is in the policy's list) or a student:

- everyone sees every finished run and study;
- a student trains, stops, resumes and deletes only their own runs and studies, and has at most
  `max_queued` of them queued or training at once, so one student cannot fill the queue;
- a teacher may do all of it, and is the only one who imports or deletes data sets and ships a model.

Runs and studies record who started them in `owner.json` beside their config (never in the
config itself: the run id, and so the cache, stays the same whoever asks). The CLI runs on the
server as its owner and does not pass through here. A refusal is `Refused`, whose message says
who may do it."""

import json
from dataclasses import dataclass, field
from pathlib import Path

from fer_core.atomic import atomic_path

OWNER_FILE = "owner.json"
RUN_ACTIONS = ("stop", "resume", "delete")  # on a run or study: its owner, or a teacher
TEACHER_ACTIONS = ("import data sets", "delete data sets", "ship a model")
DEFAULT_MAX_QUEUED = 2


class Refused(Exception):
    """An action this user may not take; the message says who may."""


@dataclass(frozen=True)
class User:
    email: str  # "" for LOCAL
    name: str
    role: str  # "teacher", "student", or "local" (sign-in off: everything allowed)

    @property
    def is_teacher(self) -> bool:
        return self.role in ("teacher", "local")

    @property
    def label(self) -> str:
        return f"{self.name} <{self.email}>" if self.email and self.name != self.email else (self.email or self.name)


LOCAL = User("", "this machine", "local")


@dataclass(frozen=True)
class ClassPolicy:
    """A class's rules: who the teachers are (e-mail addresses, any case) and how many runs a
    student may have queued or training at once."""

    teachers: frozenset[str] = field(default_factory=frozenset)
    max_queued: int = DEFAULT_MAX_QUEUED

    @classmethod
    def from_config(cls, section: dict | None) -> "ClassPolicy":
        """From the `[fer_lab]` section of secrets.toml: `teachers = [...]`, `max_queued_runs = N`."""
        section = dict(section or {})
        teachers = section.get("teachers", [])
        if isinstance(teachers, str) or not all(isinstance(t, str) for t in teachers):
            raise ValueError('[fer_lab] teachers must be a list of e-mail addresses, e.g. teachers = ["ada@school.org"]')
        max_queued = section.get("max_queued_runs", DEFAULT_MAX_QUEUED)
        if not isinstance(max_queued, int) or max_queued < 1:
            raise ValueError(f"[fer_lab] max_queued_runs must be a whole number >= 1, not {max_queued!r}")
        return cls(frozenset(t.strip().lower() for t in teachers), max_queued)

    def user(self, email: str | None, name: str | None = None) -> User:
        """The signed-in person: a teacher when their address is in the list."""
        email = (email or "").strip().lower()
        if not email:
            raise Refused("your sign-in gave no e-mail address; FER Lab needs one to know whose runs are whose")
        return User(email, name or email, "teacher" if email in self.teachers else "student")


def write_owner(directory: Path, user: User) -> None:
    """Record who started the run or study in `directory` (written once, atomically)."""
    if user.role == "local" or (directory / OWNER_FILE).exists():
        return
    with atomic_path(directory / OWNER_FILE) as tmp:
        tmp.write_text(json.dumps({"email": user.email, "name": user.name}) + "\n")


def inherit_owner(source: Path, directory: Path) -> None:
    """A study's run is its owner's: copy the study's record to the run (when it has none)."""
    if (source / OWNER_FILE).exists() and not (directory / OWNER_FILE).exists():
        with atomic_path(directory / OWNER_FILE) as tmp:
            tmp.write_bytes((source / OWNER_FILE).read_bytes())


def _owner(directory: Path) -> dict:
    """The owner record ({} when there is none, or it cannot be read)."""
    try:
        return json.loads((directory / OWNER_FILE).read_text())
    except (OSError, ValueError):
        return {}


def owner_of(directory: Path) -> str | None:
    """The e-mail address of who started it, or None (started from the CLI, or before sign-in)."""
    return _owner(directory).get("email") or None


def owner_name(directory: Path) -> str:
    data = _owner(directory)
    return data.get("name") or data.get("email") or "the command line"


def may_act(user: User, directory: Path) -> bool:
    """Whether `user` may stop, resume or delete the run or study in `directory`: its owner, or a teacher."""
    return user.is_teacher or owner_of(directory) == user.email


def check_own(user: User, action: str, directory: Path, what: str) -> None:
    """Refused unless `user` may take `action` (RUN_ACTIONS) on the run or study in `directory`
    (`what` names it in the message): its owner, or a teacher."""
    if action not in RUN_ACTIONS:
        raise ValueError(f"unknown action {action!r}")
    if may_act(user, directory):
        return
    raise Refused(f"only {owner_name(directory)} (who started it) or a teacher can {action} {what}")


def check_teacher(user: User, action: str) -> None:
    """Refused unless `user` is a teacher: `action` is one of TEACHER_ACTIONS."""
    if action not in TEACHER_ACTIONS:
        raise ValueError(f"unknown action {action!r}")
    if not user.is_teacher:
        raise Refused(f"only a teacher can {action}")


def check_queue(user: User, policy: ClassPolicy | None, active_owned: int) -> None:
    """Refused when a student already has `policy.max_queued` runs or studies queued or training."""
    if policy is None or user.is_teacher or active_owned < policy.max_queued:
        return
    raise Refused(
        f"you have {active_owned} runs queued or training, the most this class allows at once ({policy.max_queued}); "
        "stop one or wait for one to finish"
    )


def mine_first(items: list, user: User) -> list:
    """Runs or studies (anything with a `dir`, or their directories), the user's own first, each
    group in its given order."""
    if user.role == "local":
        return list(items)
    own = {id(x) for x in items if owner_of(getattr(x, "dir", x)) == user.email}  # each owner record read once
    return [x for x in items if id(x) in own] + [x for x in items if id(x) not in own]
