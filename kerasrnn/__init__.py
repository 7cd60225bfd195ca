"""kerasrnn: recurrent neural networks for Keras 3.

`import kerasrnn` registers every custom layer with Keras, so
`keras.saving.load_model` reads our `.keras` files after a plain import. It imports
Keras and our layers, nothing heavier (data readers, applications and plotting load
only when used).
"""

__version__ = "0.1.0"

from kerasrnn import layers  # noqa: E402,F401  (registers the custom objects)
