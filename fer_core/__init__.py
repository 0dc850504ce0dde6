"""FER Lab core: data, models, training, evaluation and explanations.

Never imports streamlit: the dashboard and the `fer` command are thin shells over it.
"""

from fer_core.labels import CLASSES, IMAGE_SIZE, NUM_CLASSES, SPLITS

__version__ = "0.1.0"
__all__ = ["CLASSES", "IMAGE_SIZE", "NUM_CLASSES", "SPLITS", "__version__"]
