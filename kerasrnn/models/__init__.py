"""Model builders assembled from kerasrnn layers, shared by the applications."""

from kerasrnn.models.joint_tagger import TAGGER_KINDS, build_joint_tagger
from kerasrnn.models.sentence_classifier import POOLINGS, build_sentence_classifier
from kerasrnn.models.sequence_tagger import CHAR_ENCODERS, build_sequence_tagger

__all__ = ["CHAR_ENCODERS", "POOLINGS", "TAGGER_KINDS", "build_joint_tagger",
           "build_sentence_classifier", "build_sequence_tagger"]
