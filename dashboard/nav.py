"""The page table: one place that names every page, for the router and Home's links."""

from dataclasses import dataclass


@dataclass(frozen=True)
class PageSpec:
    path: str  # relative to dashboard/
    title: str
    icon: str
    blurb: str


HOME = PageSpec("app_pages/home.py", "Home", ":material/home:", "What is here and what to do next.")
PAGES: tuple[PageSpec, ...] = (
    HOME,
    PageSpec(
        "app_pages/data.py",
        "Data",
        ":material/photo_library:",
        "Import FER2013 (CSV, image folder or zip), see class balance, sample faces, "
        "pixel histograms, and what normalisation and augmentation do to a face.",
    ),
    PageSpec(
        "app_pages/train.py",
        "Train",
        ":material/model_training:",
        "Pick a preset CNN from the homework reports or build your own, train it with live loss and "
        "accuracy curves, stop and resume, and overlay runs to compare recipes.",
    ),
)
