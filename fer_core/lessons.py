"""Lessons (issue 44): a teacher picks faces during a walkthrough and saves them, in order, with the
model, the data set and the truth they were shown with; next week the lesson reopens on Evaluate as
a deck. Lessons are stored beside the runs (`checkpoints/lessons/<name>.json`, written atomically),
and on a class server a lesson belongs to the teacher who saved it: only a teacher saves or deletes
one, everyone may open it."""

import json
import re
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from fer_core.access import LOCAL, Refused, User
from fer_core.atomic import write_json
from fer_core.paths import checkpoints_dir

NAME = re.compile(r"^[\w][\w .,:;'!?()-]{0,79}$")  # what a teacher types: words, spaces, a little punctuation


@dataclass(frozen=True)
class Lesson:
    name: str
    model: str  # a run id or a shipped model's name
    data: str
    data_hash: str  # the data set's content when saved: a re-import may move the faces
    split: str
    truth: str  # a key of label_sources.TRUTHS
    faces: tuple[int, ...]  # data-set rows, in the order they are shown
    tta: str = "none"
    owner: str = ""  # the teacher's e-mail address ("" on a laptop)
    owner_name: str = ""
    created: str = field(default_factory=lambda: time.strftime("%Y-%m-%d %H:%M"))

    def to_json(self) -> dict:
        return {**asdict(self), "faces": list(self.faces)}

    @classmethod
    def from_json(cls, d: dict) -> "Lesson":
        return cls(**{**d, "faces": tuple(int(r) for r in d["faces"])})


def lessons_dir() -> Path:
    return checkpoints_dir() / "lessons"


def _path(name: str) -> Path:
    return lessons_dir() / (re.sub(r"[^\w-]+", "-", name.strip().lower()).strip("-") + ".json")


def check_lesson_name(name: str) -> str:
    name = name.strip()
    if not NAME.match(name):
        raise ValueError(f"a lesson's name is 1 to 80 letters, digits, spaces and - . , : ; ' ! ? ( ); not {name!r}")
    return name


def save_lesson(lesson: Lesson, user: User = LOCAL, replace: bool = False) -> Path:
    """Write `lesson` as `user`'s: refused for a student, for no faces, and for a name taken
    (unless `replace`)."""
    if not user.is_teacher:
        raise Refused("only a teacher can save a lesson")
    if not lesson.faces:
        raise ValueError("pick at least one face for the lesson (Add this face)")
    name = check_lesson_name(lesson.name)
    path = _path(name)
    if path.exists() and not replace:
        raise FileExistsError(f"a lesson named {load_lesson(path.stem).name!r} exists: choose another name, or replace it")
    owned = Lesson.from_json({**lesson.to_json(), "name": name, "owner": user.email, "owner_name": user.name if user.email else ""})
    path.parent.mkdir(parents=True, exist_ok=True)
    write_json(path, owned.to_json())
    return path


def load_lesson(key: str) -> Lesson:
    """A lesson by its name (or its file's stem)."""
    path = _path(key)
    try:
        return Lesson.from_json(json.loads(path.read_text()))
    except FileNotFoundError:
        raise FileNotFoundError(f"no lesson named {key!r} (looked in {lessons_dir()})") from None
    except (ValueError, KeyError, TypeError) as exc:
        raise ValueError(f"{path}: not a lesson FER Lab can read ({exc})") from exc


def list_lessons() -> list[Lesson]:
    """Every lesson that reads, newest first (a damaged file is left out, not fatal)."""
    out = []
    for path in lessons_dir().glob("*.json") if lessons_dir().is_dir() else ():
        try:
            out.append(Lesson.from_json(json.loads(path.read_text())))
        except (OSError, ValueError, KeyError, TypeError):
            continue
    return sorted(out, key=lambda lesson: lesson.created, reverse=True)


def delete_lesson(name: str, user: User = LOCAL) -> None:
    """Remove a lesson: a teacher only (on a laptop, anyone)."""
    if not user.is_teacher:
        raise Refused("only a teacher can delete a lesson")
    lesson = load_lesson(name)
    _path(lesson.name).unlink()
