"""`fer lessons list|show|rm`: the lessons teachers saved on Evaluate (fer_core.lessons)."""

import json

from fer_core.lessons import delete_lesson, list_lessons, load_lesson


def cmd_list(a) -> int:
    lessons = list_lessons()
    if a.json:
        print(json.dumps([x.to_json() for x in lessons], indent=2))
        return 0
    if not lessons:
        print("no lessons yet: pick faces in Evaluate's walkthrough and press Save lesson")
    for x in lessons:
        by = f", by {x.owner_name or x.owner}" if x.owner else ""
        print(f"{x.name}: {len(x.faces)} faces, {x.model} on {x.data}/{x.split} against {x.truth}{by}, {x.created}")
    return 0


def cmd_show(a) -> int:
    print(json.dumps(load_lesson(a.name).to_json(), indent=2))
    return 0


def cmd_rm(a) -> int:
    delete_lesson(a.name)
    print(f"deleted lesson {a.name!r}")
    return 0


def add_parser(sub) -> None:
    cmds = sub.add_parser("lessons", help="the lessons saved on Evaluate: list, show, remove").add_subparsers(
        dest="lessons_command", required=True
    )
    p = cmds.add_parser("list", help="every lesson, newest first")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_list)
    for name, func, text in (("show", cmd_show, "one lesson's faces and settings"), ("rm", cmd_rm, "delete a lesson")):
        p = cmds.add_parser(name, help=text)
        p.add_argument("name")
        p.set_defaults(func=func)
