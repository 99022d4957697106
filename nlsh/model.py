"""Moved to nlsh.decoding.runner (the runner) and nlsh.decoding.guide (Guide); this name stays until
the model server module imports them from there."""

from nlsh.decoding.guide import Guide  # noqa: F401
from nlsh.decoding.runner import LOG_TAIL, MAX_TOKENS, Generation, Model, load_model  # noqa: F401
