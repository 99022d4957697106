"""nlsh's own request phrasings, written for what the home-llm piles lack: every SPEC argument type
(fan percentage, cover position, volume level, mute, hvac mode, temperature on a named device),
terse lower-case requests, area-wide and whole-house requests, scenes and alarms.

Each line is `domain action[+action] [class] | phrase`. Slots: <device_name>, <area>, and values
<brightness> <color> <temp> <hvac_mode> <percentage> <position> <volume> <code>. An action with a
fixed argument is written `volume_mute:true`.
"""

from __future__ import annotations

import re

from finetune.home_piles import SLOT_ARGS, Part, Template
from nlsh.home.catalog import DOMAINS

DEVICE = """
light turn_on | <device_name> on
light turn_on | turn on the <device_name>
light turn_on | switch the <device_name> on
light turn_off | <device_name> off
light turn_off | turn the <device_name> off
light turn_off | kill the <device_name>
light turn_off | switch off <device_name>
light toggle | toggle the <device_name>
light turn_on | dim the <device_name> to <brightness>%
light turn_on | <device_name> to <brightness>%
light turn_on | <device_name> <brightness> percent
light turn_on | set the <device_name> brightness to <brightness>
light turn_on | turn on the <device_name> at <brightness>%
light turn_on | brighten the <device_name> to <brightness> percent
light turn_on | make the <device_name> <color>
light turn_on | <device_name> <color>
light turn_on | turn the <device_name> <color>
light turn_on | set the <device_name> to <color> at <brightness>%
light turn_on | <device_name> <color> <brightness>%
light turn_on | turn on the <device_name> in <color> at <brightness> percent
switch turn_on | <device_name> on
switch turn_on | power on the <device_name>
switch turn_off | <device_name> off
switch turn_off | cut the power to the <device_name>
switch toggle | flip the <device_name>
fan turn_on | <device_name> on
fan turn_on | turn on the <device_name> at <percentage>%
fan turn_on | start the <device_name> at <percentage> percent
fan turn_off | <device_name> off
fan turn_off | stop the <device_name>
fan set_percentage | set the <device_name> to <percentage>%
fan set_percentage | <device_name> speed <percentage>
fan set_percentage | change the <device_name> speed to <percentage> percent
climate set_temperature | set the <device_name> to <temp>
climate set_temperature | <device_name> to <temp> degrees
climate set_temperature | <device_name> <temp>
climate set_temperature | warm the <device_name> up to <temp>
climate set_temperature | cool the <device_name> down to <temp> degrees
climate set_temperature | change the <device_name> setpoint to <temp>°
climate set_hvac_mode | set the <device_name> to <hvac_mode> mode
climate set_hvac_mode | put the <device_name> in <hvac_mode> mode
climate set_hvac_mode | <device_name> <hvac_mode>
climate set_hvac_mode | switch the <device_name> to <hvac_mode>
climate set_hvac_mode+set_temperature | set the <device_name> to <hvac_mode> at <temp> degrees
climate set_hvac_mode+set_temperature | <device_name> <hvac_mode> <temp>
climate turn_on | turn on the <device_name>
climate turn_off | turn off the <device_name>
climate turn_off | <device_name> off
cover open_cover | open the <device_name>
cover open_cover | <device_name> up
cover close_cover | close the <device_name>
cover close_cover | <device_name> down
cover stop_cover | stop the <device_name>
cover set_cover_position | set the <device_name> to <position>%
cover set_cover_position | open the <device_name> to <position> percent
cover set_cover_position | <device_name> position <position>
cover set_cover_position | move the <device_name> to <position>%
cover open_cover garage | open the <device_name>
cover close_cover garage | shut the <device_name>
cover close_cover garage | close <device_name>
lock lock | lock the <device_name>
lock lock | <device_name> lock
lock unlock | unlock the <device_name>
lock unlock | <device_name> unlock
media_player turn_on | turn on the <device_name>
media_player turn_off | <device_name> off
media_player turn_off | switch off the <device_name>
media_player media_play | resume the <device_name>
media_player media_play | play on the <device_name>
media_player media_pause | pause the <device_name>
media_player media_pause | <device_name> pause
media_player media_stop | stop the music on the <device_name>
media_player media_next_track | skip the song on the <device_name>
media_player media_next_track | next song on <device_name>
media_player media_previous_track | go back a track on the <device_name>
media_player volume_up | turn up the <device_name>
media_player volume_down | <device_name> quieter
media_player volume_set | set the volume on the <device_name> to <volume>%
media_player volume_set | <device_name> volume <volume>
media_player volume_set | turn the <device_name> volume to <volume> percent
media_player volume_set | volume <volume>% on the <device_name>
media_player volume_mute:true | mute the <device_name>
media_player volume_mute:true | silence the <device_name>
media_player volume_mute:false | unmute the <device_name>
media_player volume_mute:false | <device_name> unmute
media_player volume_mute:false | turn the sound back on on the <device_name>
vacuum start | start the <device_name>
vacuum start | <device_name> go
vacuum pause | pause the <device_name>
vacuum stop | stop the <device_name>
vacuum return_to_base | send the <device_name> home
vacuum return_to_base | dock the <device_name>
scene turn_on | activate <device_name>
scene turn_on | turn on the <device_name> scene
scene turn_on | set the scene to <device_name>
scene turn_on | <device_name> scene
alarm_control_panel alarm_arm_away | arm the <device_name>
alarm_control_panel alarm_arm_away | arm the <device_name> in away mode
alarm_control_panel alarm_arm_home | arm the <device_name> in home mode
alarm_control_panel alarm_arm_night | set the <device_name> to night mode
alarm_control_panel alarm_disarm | disarm the <device_name>
alarm_control_panel alarm_disarm | turn off the <device_name>
alarm_control_panel alarm_disarm | disarm the <device_name> with code <code>
alarm_control_panel alarm_arm_away | arm the <device_name> with code <code>
"""

# <area> means every device of the domain (and class) in that area; for climate, the one there.
AREA = """
light turn_off | turn off the <area> lights
light turn_off | <area> lights off
light turn_off | lights off in the <area>
light turn_on | switch on all the lights in the <area>
light turn_on | turn on the lights in the <area>
light turn_on | <area> lights on
light toggle | toggle the <area> lights
light turn_on | dim the <area> lights to <brightness>%
light turn_on | set the lights in the <area> to <brightness> percent
light turn_on | make the <area> lights <color>
light turn_on | <area> lights <color>
cover close_cover blind | close the <area> blinds
cover open_cover blind | open all the blinds in the <area>
cover close_cover blind | lower the <area> shades
cover set_cover_position blind | <area> blinds to <position>%
fan turn_off | turn off the fans in the <area>
fan turn_on | <area> fans on
climate set_temperature | heat the <area> to <temp>
climate set_temperature | cool the <area> to <temp> degrees
climate set_temperature | set the <area> temperature to <temp>
climate set_temperature | <area> to <temp> degrees
climate set_hvac_mode | put the <area> heating in <hvac_mode> mode
"""

ALL = """
light turn_off | turn off all the lights
light turn_off | all lights off
light turn_on | turn on every light
cover close_cover blind | close all the blinds
cover open_cover blind | open all the blinds
lock lock | lock all the locks
"""

_LINE = re.compile(r"^(\w+) ([\w:+]+)(?: (\w+))? \| (.+)$")


def _parse(block: str, kind: str) -> list[Template]:
    out = []
    for line in block.strip().splitlines():
        m = _LINE.match(line.strip())
        if not m:
            raise ValueError(f"bad template line: {line}")
        domain, actions, device_class, phrase = m.groups()
        slots = re.findall(r"<(brightness|color|temp|hvac_mode|percentage|position|volume|code)>", phrase)
        parts = []
        for spec in actions.split("+"):
            action, _, fixed_value = spec.partition(":")
            act = DOMAINS[domain].actions[action]
            mine = tuple(s for s in slots if SLOT_ARGS[s] in act.args)
            fixed = ()
            if fixed_value:
                fixed = ((act.args[0], fixed_value == "true"),)
            parts.append(Part(domain, action, mine, fixed, device_class))
        # Value-carrying phrasings are the rarest in the piles: weigh them up so every argument
        # type is seen often.
        weight = 6 if slots else 3
        out.append(Template(f"own:{kind}:{actions}:{phrase}", phrase, tuple(parts), kind=kind, weight=weight))
    return out


def own_templates() -> list[Template]:
    return _parse(DEVICE, "device") + _parse(AREA, "area") + _parse(ALL, "all")
