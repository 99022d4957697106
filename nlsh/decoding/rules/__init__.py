"""The decoding rules, one file each, registered here in the order they apply: a rule's guide parts
add up in this order, and re-decoding rules run in it within their stage. Adding a rule is a new file
with its RULE and a line below.
"""

from nlsh.decoding.rules import (close_compounds, device_names, named_tool, fallback_forks, home_grammar_only, plural_groups, quantified_groups,
                                 refuted_no_device, repeat_cut, request_order, said_actions, said_values, named_end, spared_devices, taught_command)

RULES = (
    # shell answers
    named_tool.RULE,
    taught_command.RULE,
    close_compounds.RULE,
    # device answers
    repeat_cut.RULE,
    quantified_groups.RULE,
    plural_groups.RULE,
    device_names.RULE,
    request_order.RULE,
    spared_devices.RULE,
    named_end.RULE,
    said_values.RULE,
    said_actions.RULE,
    refuted_no_device.RULE,
    home_grammar_only.RULE,
    # any answer
    fallback_forks.RULE,
)
