"""Moved to nlsh.api (Translator); this name stays until finetune's evaluation builds a Translator."""

from nlsh.api import Translator, clean_instruction  # noqa: F401

# The ablation switches evaluate.py still passes, as the rules they turn off.
_SWITCHES = {"copy_prior": ["copy-prior", "named-tool"],
             "device_prior": ["quantified-groups", "device-names", "request-order", "said-values"]}


class Pipeline(Translator):
    def __init__(self, config=None, **kw):
        off = [name for switch, names in _SWITCHES.items() if not kw.pop(switch, True) for name in names]
        super().__init__(config, rules_off=off, **kw)
