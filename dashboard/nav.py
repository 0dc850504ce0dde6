"""The page table: one place that names every page, for the router and Home's links."""

from dataclasses import dataclass


@dataclass(frozen=True)
class PageSpec:
    path: str  # relative to dashboard/
    title: str
    icon: str
    blurb: str

    @property
    def url_path(self) -> str:
        """The page's address follows its name: /math for Math (not the file's name)."""
        return self.title.lower().replace(" ", "-")


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
    PageSpec(
        "app_pages/study.py",
        "Study",
        ":material/science:",
        "Does normalisation help? Does augmentation? Each setting trained with several seeds, then the answer "
        "with its uncertainty: curves, a table with 95% intervals, a verdict, CSV and Markdown.",
    ),
    PageSpec(
        "app_pages/evaluate.py",
        "Evaluate",
        ":material/grid_on:",
        "A model on a split: accuracy and per-class figures, a confusion matrix whose cells open onto the faces, "
        "a classroom walkthrough (guess first, then reveal) with shareable links, and two models compared.",
    ),
    PageSpec(
        "app_pages/explain.py",
        "Explain",
        ":material/center_focus_strong:",
        "Saliency maps for one face (vanilla gradient, SmoothGrad, guided backprop, integrated gradients, Grad-CAM, "
        "occlusion) beside a randomised model's, and a grey patch you move to see the probabilities change.",
    ),
    PageSpec(
        "app_pages/filters.py",
        "Filters",
        ":material/filter_vintage:",
        "What a layer's filters respond to: gradient-ascent images for every filter, the faces that excite each most, "
        "the feature maps of one face, and the first layer's kernels.",
    ),
    PageSpec(
        "app_pages/webcam.py",
        "Webcam",
        ":material/videocam:",
        "Live emotion recognition in your own browser: boxes, labels and probabilities on your webcam video, "
        "where the model looks, what it sees, and a steady (smoothed) emotion.",
    ),
    PageSpec(
        "app_pages/architecture.py",
        "Architecture",
        ":material/account_tree:",
        "Any preset, custom model or trained run as a block diagram and a layer table: output shapes, the "
        "conv output-size formula with its numbers, parameters, multiply-adds; a calculator checked against nn.Conv2d.",
    ),
    PageSpec(
        "app_pages/math_checks.py",
        "Math",
        ":material/function:",
        "The conv output size, the batch-norm backward pass and the softmax cross-entropy gradient, written out "
        "and checked numerically against autograd.",
    ),
)
