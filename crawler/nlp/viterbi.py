"""The best path through a CRF's scores: hmmlearn's compiled Viterbi, for speed, or a
numpy one, identical to it bit for bit, where a hmmlearn release has moved or changed it.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable
from functools import lru_cache

import numpy as np

logger = logging.getLogger(__name__)

# (start probabilities, transition probabilities, log emission scores) -> (log
# probability, best path): hmmlearn's _hmmc.viterbi, or numpy_viterbi.
Viterbi = Callable[[np.ndarray, np.ndarray, np.ndarray], tuple[float, np.ndarray]]


def numpy_viterbi(
    startprob: np.ndarray, transmat: np.ndarray, log_frameprob: np.ndarray
) -> tuple[float, np.ndarray]:
    """hmmlearn 0.3's _hmmc.viterbi in numpy: the same arguments, the same log-space
    max-sum, and its ties: the first best label at the end, and before it the last of the
    labels it is best reached from (it keeps the greatest (score, label) pair)."""
    log_start = _c_log(startprob.tobytes(), startprob.shape)
    log_transitions = _c_log(transmat.tobytes(), transmat.shape)
    length, size = log_frameprob.shape
    labels = np.arange(size)
    score = log_start + log_frameprob[0]
    before = np.empty((length, size), dtype=np.intp)
    for t in range(1, length):
        reached = score[:, None] + log_transitions  # [label before, label now]
        before[t] = size - 1 - reached[::-1].argmax(axis=0)
        score = reached[before[t], labels] + log_frameprob[t]
    state = int(np.argmax(score))
    log_prob, path, back = float(score[state]), [state], before.tolist()
    for t in range(length - 1, 0, -1):
        state = back[t][state]
        path.append(state)
    return log_prob, np.array(path[::-1], dtype=np.intp)


@lru_cache(maxsize=32)
def _c_log(data: bytes, shape: tuple[int, ...]) -> np.ndarray:
    """Logarithms by math.log, the C library's log that hmmlearn's C++ takes: numpy's
    vectorised log differs in the last bit on some of the models' transitions (enough to
    turn a tie). Kept per array: the models have a few, the same at every call."""
    logs = [math.log(v) if v > 0 else -math.inf if v == 0 else math.nan
            for v in np.frombuffer(data)]  # fmt: skip
    return np.array(logs).reshape(shape)


# Decoding problems whose answers hmmlearn's Viterbi must give as numpy_viterbi does: one
# of random scores, and one of ties only (its path is [2, 2, 2, 2, 0]).
_RANDOM = np.random.default_rng(0)
_PROBES = [
    (_RANDOM.random(4) + 0.1, np.exp(_RANDOM.normal(size=(4, 4))), _RANDOM.normal(size=(7, 4))),
    (np.ones(3), np.ones((3, 3)), np.zeros((5, 3))),
]


def decodes_as_numpy(viterbi: Callable[..., tuple[float, np.ndarray]]) -> bool:
    """Whether a Viterbi takes the arguments and gives the results numpy_viterbi does, on
    the probes: the check that hmmlearn's private one still is what it was."""
    try:
        for problem in _PROBES:
            log_prob, path = viterbi(*problem)
            expected_log_prob, expected_path = numpy_viterbi(*problem)
            if float(log_prob) != expected_log_prob or not np.array_equal(path, expected_path):
                return False
    except Exception:  # arguments or results of another shape
        return False
    return True


def compiled_viterbi() -> Viterbi | None:
    """hmmlearn's compiled Viterbi, when it is importable and decodes as numpy_viterbi does.

    It is private (hmmlearn._hmmc), and kept for speed: tag_many of the 71 texts of
    tests/test_nlp_crf.py, memo warm, takes 17-20 ms with it and 57-59 with numpy_viterbi
    (a 30-token sentence of 20 labels: 10 against 140-200 microseconds). A release that
    moves or changes it (import error, missing attribute, other arguments or results):
    None, a warning, and numpy_viterbi decodes.
    """
    try:
        from hmmlearn import _hmmc

        viterbi = _hmmc.viterbi
    except (ImportError, AttributeError) as error:
        reason = f"{type(error).__name__}: {error}"
    else:
        if decodes_as_numpy(viterbi):
            return viterbi
        reason = "its arguments or results changed"
    logger.warning("hmmlearn's compiled Viterbi is not usable (%s): decoding with numpy", reason)
    return None


# Chosen once, at import; crawler.nlp.crf reads it at every call (tests set it).
VITERBI: Viterbi = compiled_viterbi() or numpy_viterbi
