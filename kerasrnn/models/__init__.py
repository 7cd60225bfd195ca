"""Model builders assembled from kerasrnn layers, shared by the applications."""

from kerasrnn.models.joint_tagger import TAGGER_KINDS, build_joint_tagger

__all__ = ["TAGGER_KINDS", "build_joint_tagger"]
