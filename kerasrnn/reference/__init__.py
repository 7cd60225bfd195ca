"""NumPy reference implementations of recurrent networks, written from the equations.

Plain NumPy, one time step at a time, every derivative by hand: what the lectures
derive on paper, runnable, and checked against the layers' automatic gradients
(tests/test_reference.py and the lessons in apps/lessons/).

- `elman`: an Elman network's loss gradient by back-propagation through time and
  by real-time recurrent learning (the same numbers at very different costs).
- `lstm`: an LSTM (Keras' gate order and weight shapes, optional peepholes) with a
  softmax output, its cross-entropy and BPTT by hand.
"""
