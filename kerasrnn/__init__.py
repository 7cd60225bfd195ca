"""kerasrnn: recurrent neural networks for Keras 3.

`import kerasrnn` registers every custom Keras object of the package (the layers,
and the text layers of `kerasrnn.data` that exported models contain), so
`keras.saving.load_model` reads our `.keras` files after a plain import. Nothing
heavier is loaded: readers, TFDS, the training harness and plotting load when used.
"""

__version__ = "0.1.0"

from kerasrnn import layers  # noqa: E402,F401  (registers the custom layers)
from kerasrnn.data import normalization, trigrams  # noqa: E402,F401  (registers text layers)
