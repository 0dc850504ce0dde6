"""Import errors that name the file and the row or entry at fault."""

from dataclasses import dataclass

MAX_LISTED = 10  # problems quoted in a message; the rest are counted


@dataclass(frozen=True)
class Problem:
    """One bad row or entry: `where` is e.g. 'line 17' or 'train/happy/x.png'."""

    where: str
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"


class DataImportError(Exception):
    """An import that was refused. Nothing was written when this is raised."""

    def __init__(self, source: str, summary: str, problems: list[Problem] | None = None, total_bad: int = 0):
        self.source = source
        self.summary = summary
        self.problems = list(problems or [])
        self.total_bad = max(total_bad, len(self.problems))
        super().__init__(self._format())

    def _format(self) -> str:
        text = f"{self.source}: {self.summary}"
        shown = self.problems[:MAX_LISTED]
        for p in shown:
            text += f"\n  {p}"
        if self.total_bad > len(shown):
            text += f"\n  ... and {self.total_bad - len(shown)} more"
        return text
