"""Linear-chain conditional random field over emission scores (`CRF`).

A tagger `Embedding → (Bi)RNN → Dense(num_tags) → CRF(num_tags)` is trained with
`CRFLoss` (in `crf_loss.py`) and predicts with Viterbi decoding:

    scores = keras.layers.Dense(num_tags)(hidden)                # emissions
    crf = CRF(num_tags, name="crf")
    trainer = keras.Model(tokens, crf(scores))                   # scores unchanged, mask kept
    trainer.compile("adam", loss=CRFLoss(crf))                   # y: gold tag ids
    trainer.fit(token_ids, tag_ids)
    tagger = keras.Model(tokens, crf(scores, decode=True))       # tag ids, int32

Both models share the one `crf` layer, so `tagger` uses the trained weights and
exports (`tagger.export(path)`) like any Keras model. Padded steps are those the
Keras mask marks False (e.g. `Embedding(mask_zero=True)`); for training they must
be at the right end, and they get tag 0 in the decoded output. A loaded trainer
needs `compile(loss=CRFLoss(model.get_layer("crf")))` again to train (see
`CRFLoss`).
"""

import keras
from keras import initializers, ops, regularizers

# A sum of exponentials below this may be subnormal in float32 (< 1.2e-38 loses digits)
# once multiplied out; the forward algorithm then takes the exact pairwise logsumexp.
_SAFE_SUM = 1e-30


def _math_dtype(x):
    """float32 for half-precision inputs: log-sum-exp over many steps needs the range."""
    dtype = keras.backend.standardize_dtype(x.dtype)
    return "float32" if dtype in ("float16", "bfloat16") else dtype


def _time_major(*tensors):
    return [ops.moveaxis(t, 1, 0) for t in tensors]


def _scan(step, init, xs, reverse=False):
    """`keras.ops.scan` over time-major `xs`, unrolled on TensorFlow when the length is static.

    Keras' TensorFlow scan is a `while_loop` without `maximum_iterations`, whose
    gradient XLA cannot compile (`jit_compile=True` training). With a static
    length (fixed-length batches) a Python loop avoids it; a dynamic length (an
    exported serving signature, padded batches of varying length) keeps the while
    loop, fine in graph mode but not for XLA training. Step outputs must have the
    carry's structure, as Keras' TensorFlow scan requires.
    """
    first = keras.tree.flatten(xs)[0]
    if keras.backend.backend() != "tensorflow":
        return ops.scan(step, init, xs, reverse=reverse)
    if first.shape[0] is None:  # that scan also rejects several xs of unknown length
        def indexed(carry, t):
            return step(carry, keras.tree.map_structure(lambda x: ops.take(x, t, axis=0), xs))

        return ops.scan(indexed, init, ops.arange(ops.shape(first)[0]), reverse=reverse)
    length = first.shape[0]
    carry, outputs = init, []
    for t in reversed(range(length)) if reverse else range(length):
        carry, y = step(carry, keras.tree.map_structure(lambda x, t=t: x[t], xs))
        outputs.append(y)
    outputs = outputs[::-1] if reverse else outputs
    return carry, keras.tree.map_structure(lambda *ys: ops.stack(ys), *outputs)


@keras.saving.register_keras_serializable(package="kerasrnn")
class CRF(keras.layers.Layer):
    """Linear-chain CRF: transition scores between tags, learned with the emissions.

    With emission scores `e[t, k]` (from the network) for T steps and K tags,
    `A` the `transitions` (from-tag × to-tag), `s` the `start_transitions` and
    `z` the `end_transitions`, the score of a tag path y₀…y_{T-1} is

        score(y) = s[y₀] + Σ_t e[t, y_t] + Σ_{t≥1} A[y_{t-1}, y_t] + z[y_{T-1}]
        log p(y | e) = score(y) − log Z,   log Z = logsumexp over all K^T paths

    log Z comes from the forward algorithm in log space,

        α₀ = s + e[0],   α_t[j] = logsumexp_i(α_{t-1}[i] + A[i, j]) + e[t, j],
        log Z = logsumexp_j(α_{T-1}[j] + z[j]),

    where each step's logsumexp over the K × K tag pairs is one matrix product,

        logsumexp_i(α[i] + A[i, j]) = m + c_j + log Σ_i exp(α[i] − m) · exp(A[i, j] − c_j)
        with m = max_i α[i],  c_j = max_i A[i, j]

    (exp(A − c) is computed once per call; about 7× faster than the K × K
    logsumexp for K = 122 tags, forward and backward, in `benchmarks/crf.py`).
    Every term is ≤ 1, so nothing overflows; a step where some sum falls below
    1e-30, where float32 may have lost its digits (a column of A spanning more than
    ~69 nats, e.g. hard constraints), computes the K × K logsumexp instead, so the
    result is the same to rounding.

    and the best path from Viterbi decoding (the same recursion with max and
    back-pointers). Masked steps are skipped: the chain links each real step to
    the previous real one, so a sequence's likelihood and best path only depend
    on its real steps; a row without any real step has log-likelihood 0 and
    decodes to zeros. Both loops run with `keras.ops.scan`, so any time length
    works in graph mode (XLA training on TensorFlow needs a fixed length, see
    `_scan`). The CRF math runs in float32 when the emissions are
    float16/bfloat16; the weights never autocast.

    Args:
        num_tags: Positive integer K, the size of the emissions' last axis.
        transitions_initializer: Initializer of A. Default `"zeros"`, which makes
            the untrained CRF the per-step softmax tagger.
        boundary_initializer: Initializer of s and z. Default `"zeros"`.
        transitions_regularizer, boundary_regularizer: Optional regularizers.

    Call arguments:
        emissions: `(batch, timesteps, num_tags)` scores.
        mask: Optional boolean `(batch, timesteps)`; False marks padded steps.
        decode: If `False` (default), return `emissions` unchanged (and pass the
            mask on), the output to train with `CRFLoss`; if `True`, return the
            Viterbi path.

    Returns:
        The emissions, or with `decode=True` the best tag ids `(batch,
        timesteps)` int32 with 0 at masked steps.

    Example:
        >>> crf = CRF(3)
        >>> emissions = np.random.normal(size=(2, 5, 3)).astype("float32")
        >>> crf(emissions, decode=True).shape
        (2, 5)
        >>> crf.log_likelihood(emissions, np.zeros((2, 5), "int32")).shape
        (2,)

    Reference:
        Lafferty, McCallum & Pereira, "Conditional random fields: probabilistic
        models for segmenting and labeling sequence data", ICML 2001.
        Lample et al., "Neural architectures for named entity recognition",
        NAACL 2016 (the BiLSTM-CRF tagger).
    """

    def __init__(
        self,
        num_tags,
        transitions_initializer="zeros",
        boundary_initializer="zeros",
        transitions_regularizer=None,
        boundary_regularizer=None,
        **kwargs,
    ):
        if isinstance(num_tags, bool) or not isinstance(num_tags, int) or num_tags <= 0:
            raise ValueError(f"`num_tags` must be a positive integer, got {num_tags!r}.")
        # Emissions keep their dtype (a float32 Dense head stays float32 under mixed precision).
        kwargs.setdefault("autocast", False)
        super().__init__(**kwargs)
        self.num_tags = num_tags
        self.transitions_initializer = initializers.get(transitions_initializer)
        self.boundary_initializer = initializers.get(boundary_initializer)
        self.transitions_regularizer = regularizers.get(transitions_regularizer)
        self.boundary_regularizer = regularizers.get(boundary_regularizer)
        self.supports_masking = True

    def build(self, input_shape):
        if len(input_shape) != 3 or input_shape[-1] != self.num_tags:
            raise ValueError(
                f"CRF {self.name!r} expects emissions (batch, timesteps, {self.num_tags}), "
                f"got shape {tuple(input_shape)}."
            )
        k = self.num_tags
        self.transitions = self.add_weight(
            shape=(k, k), name="transitions", initializer=self.transitions_initializer,
            regularizer=self.transitions_regularizer, autocast=False,
        )
        self.start_transitions, self.end_transitions = (
            self.add_weight(shape=(k,), name=name, initializer=self.boundary_initializer,
                            regularizer=self.boundary_regularizer, autocast=False)
            for name in ("start_transitions", "end_transitions")
        )

    def call(self, emissions, mask=None, decode=False):
        if decode:
            return self.decode(emissions, mask)
        return emissions

    def compute_output_spec(self, emissions, mask=None, decode=False):
        if decode:
            return keras.KerasTensor(emissions.shape[:-1], dtype="int32")
        return keras.KerasTensor(emissions.shape, dtype=emissions.dtype)

    # The math. Every method takes batch-major tensors; mask=None means no padding.

    def _prepare(self, emissions, mask):
        """Emissions and weights in the math dtype, the mask, and each row's first real step."""
        emissions = ops.convert_to_tensor(emissions)
        dtype = _math_dtype(emissions)
        emissions = ops.cast(emissions, dtype)
        if mask is None:
            mask = ops.ones_like(emissions[..., 0], dtype="bool")
        mask = ops.cast(mask, "bool")
        first = ops.logical_and(mask, ops.equal(ops.cumsum(ops.cast(mask, "int32"), axis=1), 1))
        weights = [ops.cast(w, dtype) for w in
                   (self.transitions, self.start_transitions, self.end_transitions)]
        return emissions, mask, first, weights

    def _forward(self, emissions, mask, first, trans, start, pairwise=False):
        """α after every step, `(timesteps, batch, num_tags)`; a masked step keeps α.

        Each step's logsumexp over the K × K tag pairs is one matrix product of
        exponentials shifted by their maxima (see the class docstring), unless a sum
        falls below `_SAFE_SUM`, where it may have lost digits: then that step takes
        the pairwise logsumexp, which `pairwise=True` takes at every step (the
        textbook algorithm, for tests and `benchmarks/crf.py`).
        """
        if not pairwise:
            shift = ops.max(trans, axis=0)  # c_j: each column's largest transition score
            exp_trans = ops.exp(trans - shift[None, :])

        def pairs(alpha):
            return ops.logsumexp(alpha[:, :, None] + trans[None], axis=1)

        def step(alpha, inputs):
            e, m, is_first = inputs
            if pairwise:
                reached = pairs(alpha)
            else:
                top = ops.max(alpha, axis=-1, keepdims=True)
                # einsum, not matmul: Keras' torch matmul returns float32 for float64
                sums = ops.einsum("bi,ij->bj", ops.exp(alpha - top), exp_trans)
                reached = ops.cond(ops.min(sums) > _SAFE_SUM,
                                   lambda: ops.log(sums) + top + shift,
                                   lambda: pairs(alpha))
            new = ops.where(is_first[:, None], start + e, reached + e)
            alpha = ops.where(m[:, None], new, alpha)
            return alpha, alpha  # Keras' TF scan needs outputs shaped like the carry.

        e_t, m_t, first_t = _time_major(emissions, mask, first)
        return _scan(step, ops.zeros_like(e_t[0]), (e_t, m_t, first_t))[1]

    def log_partition(self, emissions, mask=None):
        """log Z per sequence, `(batch,)`, by the forward algorithm (0 for empty rows)."""
        emissions, mask, first, (trans, start, end) = self._prepare(emissions, mask)
        alphas = self._forward(emissions, mask, first, trans, start)
        log_z = ops.logsumexp(alphas[-1] + end, axis=-1)
        return ops.where(ops.any(mask, axis=1), log_z, ops.zeros_like(log_z))

    def sequence_score(self, emissions, tags, mask=None):
        """score(y) of the given tag ids `(batch, timesteps)`, `(batch,)` (0 for empty rows)."""
        emissions, mask, first, (trans, start, end) = self._prepare(emissions, mask)
        k = self.num_tags
        tags = ops.clip(ops.cast(tags, "int32"), 0, k - 1)  # padding labels may be -1
        emitted = ops.take_along_axis(emissions, tags[..., None], axis=-1)[..., 0]
        flat_trans = ops.reshape(trans, (-1,))

        def step(carry, inputs):
            previous, score = carry
            tag, e, m, is_first = inputs
            link = ops.take(flat_trans, previous * k + tag)
            link = ops.where(is_first, ops.take(start, tag), link)
            score = score + ops.where(m, link + e, ops.zeros_like(e))
            previous = ops.where(m, tag, previous)
            return (previous, score), (previous, score)

        xs = _time_major(tags, emitted, mask, first)
        init = (ops.zeros_like(xs[0][0]), ops.zeros_like(xs[1][0]))
        (last, score), _ = _scan(step, init, tuple(xs))
        score = score + ops.take(end, last)
        return ops.where(ops.any(mask, axis=1), score, ops.zeros_like(score))

    def log_likelihood(self, emissions, tags, mask=None):
        """log p(tags | emissions) per sequence, `(batch,)`: score(tags) − log Z."""
        return self.sequence_score(emissions, tags, mask) - self.log_partition(emissions, mask)

    def step_losses(self, emissions, tags):
        """Per-step parts of the negative log-likelihood, `(batch, timesteps)`.

        Step t holds NLL(steps 0…t) − NLL(steps 0…t−1), where NLL(0…t) is the
        negative log-likelihood of the prefix ending at t. The sum over the first
        n steps is therefore the NLL of a sequence of n real steps, whatever the
        padding after it holds: summing these under a right-padding mask, as
        Keras' masked loss reduction does, gives the exact sequence NLL without
        the loss having to see the mask.
        """
        emissions, mask, first, (trans, start, end) = self._prepare(emissions, None)
        k = self.num_tags
        tags = ops.clip(ops.cast(tags, "int32"), 0, k - 1)

        alphas = self._forward(emissions, mask, first, trans, start)
        log_z = ops.moveaxis(ops.logsumexp(alphas + end, axis=-1), 0, 1)  # prefixes' log Z

        emitted = ops.take_along_axis(emissions, tags[..., None], axis=-1)[..., 0]
        links = ops.concatenate(
            [ops.take(start, tags[:, :1]),
             ops.take(ops.reshape(trans, (-1,)), tags[:, :-1] * k + tags[:, 1:])], axis=1)
        ends = ops.take(end, tags)
        score = emitted + links + ends  # prefix score up to t minus prefix score up to t−1:
        score = score - ops.pad(ends[:, :-1], ((0, 0), (1, 0)))  # the old end score is undone
        return (log_z - ops.pad(log_z[:, :-1], ((0, 0), (1, 0)))) - score

    def decode(self, emissions, mask=None):
        """The Viterbi path, `(batch, timesteps)` int32 tag ids, 0 at masked steps."""
        emissions, mask, first, (trans, start, end) = self._prepare(emissions, mask)
        stay = ops.arange(self.num_tags, dtype="int32")[None, :]

        def forward(carry, inputs):
            best, _ = carry
            e, m, is_first = inputs
            candidates = best[:, :, None] + trans[None]  # (batch, from, to)
            new = ops.where(is_first[:, None], start + e, ops.max(candidates, axis=1) + e)
            # A masked (or first) step points back to the same tag: backtracking passes through.
            follow = ops.logical_and(m, ops.logical_not(is_first))[:, None]
            pointers = ops.where(follow, ops.cast(ops.argmax(candidates, axis=1), "int32"), stay)
            best = ops.where(m[:, None], new, best)
            return (best, pointers), (best, pointers)

        e_t, m_t, first_t = _time_major(emissions, mask, first)
        init = (ops.zeros_like(e_t[0]), ops.zeros_like(e_t[0], dtype="int32"))
        (best, _), (_, pointers) = _scan(forward, init, (e_t, m_t, first_t))

        def backward(tag, step_pointers):
            previous = ops.take_along_axis(step_pointers, tag[:, None], axis=1)[:, 0]
            return previous, tag

        last = ops.cast(ops.argmax(best + end, axis=-1), "int32")
        _, tags = _scan(backward, last, pointers, reverse=True)
        tags = ops.moveaxis(tags, 0, 1)
        return ops.where(mask, tags, ops.zeros_like(tags))

    def get_config(self):
        config = {
            "num_tags": self.num_tags,
            "transitions_initializer": initializers.serialize(self.transitions_initializer),
            "boundary_initializer": initializers.serialize(self.boundary_initializer),
            "transitions_regularizer": regularizers.serialize(self.transitions_regularizer),
            "boundary_regularizer": regularizers.serialize(self.boundary_regularizer),
        }
        return {**super().get_config(), **config}
