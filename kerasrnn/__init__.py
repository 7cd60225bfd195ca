"""kerasrnn: recurrent neural networks for Keras 3.

`import kerasrnn` registers every custom Keras object a saved model of the package
or of its applications can refer to (layers, the text layers of `kerasrnn.data`,
activations, losses and metrics), so `keras.saving.load_model` reads our `.keras`
files after a plain import. Nothing heavier is loaded: readers, TFDS, the training
harness and plotting load when used.
"""

__version__ = "0.1.0"

from kerasrnn import activations, layers, losses, metrics  # noqa: E402,F401  (registers them)
from kerasrnn.data import normalization, trigrams  # noqa: E402,F401  (registers text layers)
