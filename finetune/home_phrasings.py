"""Requests in people's words for the people's-words generator (finetune.home_spoken), written for
the project: activities that imply a device, number words, capabilities, areas and groups, negations
and opposites.

A block `== intent` lists phrasings of one intent; finetune.home_spoken knows what each intent does
in a home. Slots: {d} {d2} a device as the request names it, {area} an area, {pct} a level ("70
percent", "half"), {num} a bare number, {temp} a temperature, {color} a colour. Words in [brackets]
name the target: where the home has none or several such devices, the answer is `no_device` with
those words (an intent whose phrasings have no brackets is only asked where the target is unique).

None of these may equal a request of the people's-words dev set (bench/home_words), or its pattern:
tests/test_home_spoken.py checks.
"""

from __future__ import annotations

PHRASINGS = """
== light_on
flick the {d} on
{d} on please
get the {d} on
pop the {d} on
could you put the {d} on
switch on my {d}
{d}, on
lights on in here, the {d} I mean
bring the {d} on
i need the {d} on
== light_off
{d} off please
flick the {d} off
shut off the {d}
get the {d} off
kill the {d} would you
i don't need the {d} anymore, off
lose the {d}
no more {d}
{d} can go off
== switch_on
power up the {d}
{d} on
fire up the {d}
get the {d} going
start up the {d}
plug in the {d}
== switch_off
power down the {d}
{d} off
cut the {d}
stop the {d}
unplug the {d}
{d} can go off now
== media_on
wake up the {d}
{d} on
fire up the {d}
== media_off
{d} off
shut the {d} down
power off the {d}
we're done with the {d}, off
== lock
lock up the {d}
make sure the {d} is locked
{d} locked please
secure the {d}
bolt the {d}
== unlock
unlock the {d} for me
let me in the {d}
open the {d} lock
{d} unlocked please
undo the {d} lock
== cover_open
open up the {d}
{d} open please
pull open the {d}
let some light in, open the {d}
draw back the {d}
== cover_close
draw the {d}
{d} closed
shut the {d}
pull the {d} shut
close up the {d}
== garage_open
open up the {d}
{d} open
get the {d} open
== garage_close
close the {d} please
{d} shut
bring the {d} down
make sure the {d} is shut
== vacuum_start
get the {d} going
start the {d} cleaning
send the {d} out
run the {d}
== vacuum_dock
{d} back to the dock
park the {d}
send the {d} back to its base
{d} go home
== scene
{d} time
do the {d} scene
let's do {d}
switch to {d}
put on {d}
{d} mode please
== alarm_arm
set the {d}
turn on the {d}
arm {d} please
== alarm_disarm
switch off the {d}
disarm {d}
deactivate the {d}
== fan_on
{d} on please
get the {d} spinning
start the {d}
== fan_off
{d} off please
stop the {d} spinning
shut the {d} off
== light_pct
{d} to {pct}
{pct} on the {d}
put the {d} at {pct}
can i get the {d} at {pct}
{d} at {pct} please
dim the {d} down to {pct}
bring the {d} up to {pct}
set {d} brightness to {pct}
turn the {d} to {pct}
{d} {pct} brightness
make the {d} {pct}
{pct} brightness for the {d}
drop the {d} to {pct}
== light_num
{d} brightness {num}
brightness {num} on the {d}
{d} brightness at {num}
== light_max
{d} full brightness
{d} as bright as it goes
max out the {d}
{d} all the way up
full brightness on the {d}
{d} to max
{d} on full
make the {d} as bright as possible
crank the {d} to full
== light_zero
{d} to zero
{d} to zero percent
{d} brightness to 0
== fan_pct
{d} at {pct}
{d} speed to {pct}
run the {d} at {pct}
set the {d} speed to {pct}
put the {d} on {pct}
{d} {pct} speed
== fan_max
{d} on full
{d} on high
{d} full blast
max the {d}
{d} at full speed
{d} as fast as it goes
== fan_on_pct
{d} on at {pct}
start the {d} on {pct}
switch the {d} on at {pct}
== volume_pct
{d} volume to {pct}
volume on the {d} at {pct}
turn the {d} to {pct} volume
set the {d} to {pct} volume
lower the {d} volume to {pct}
raise the {d} volume to {pct}
{d} at {pct} volume
put the volume on the {d} to {pct}
{d} volume {num}
drop the {d} to {pct} volume
== volume_max
{d} volume all the way up
max volume on the {d}
{d} as loud as it goes
full volume on the {d}
crank the {d} all the way
== volume_up
{d} a bit louder
turn the {d} up a bit
{d} up a notch
a little louder on the {d}
bump the {d} volume up
louder on the {d}
{d} volume up a touch
== volume_down
{d} a bit quieter
turn the {d} down a touch
a little quieter on the {d}
{d} down a notch
bring the {d} volume down a bit
less loud on the {d}
{d} volume down
== temp_named
{d} to {temp}
{d} to {temp} degrees
put the {d} on {temp}
i want the {d} at {temp}
{d} at {temp} please
bump the {d} up to {temp}
drop the {d} down to {temp}
{temp} degrees on the {d}
== cover_pct
{d} to {pct}
{d} {pct} open
open the {d} to {pct}
put the {d} at {pct}
{d} position {num}
== cover_half
{d} halfway
open the {d} halfway
{d} half way down
put the {d} at half
{d} half open
== coffee_on
get me a [coffee] going
make [coffee]
start the [coffee]
brew some [coffee]
i need [coffee]
[coffee] please
fire up the [coffee]
put the [coffee] on
time for [coffee]
make me an [espresso]
could i get a [coffee] started
== coffee_off
[coffee] off
stop the [coffee]
turn the [coffee] off
done with the [coffee], switch it off
== kettle_on
boil the [kettle]
boil some water
make some tea
i fancy a cuppa
heat up water for tea
[kettle] on
get the [kettle] boiling
== kettle_off
[kettle] off
switch the [kettle] off
never mind the tea, [kettle] off
== sprinkler_on
water the garden
water the lawn
start [watering] the garden
give the plants a drink
turn on the [sprinklers]
run the [sprinklers]
the lawn needs water
== sprinkler_off
stop [watering]
stop the [sprinklers]
that's enough water
[sprinklers] off
== christmas_on
light up the [tree]
[christmas lights] on
turn on the [christmas tree]
make it festive
plug in the [tree]
== christmas_off
[tree] off
turn off the [christmas lights]
unplug the [tree]
== washer_on
start the [laundry]
run a wash
put the [washing] on
start a wash cycle
== washer_off
stop the [washing machine]
[washer] off
== dishwasher_on
run the [dishwasher]
start the [dishes]
get the [dishwasher] going
== dishwasher_off
stop the [dishwasher]
[dishwasher] off
== blanket_on
warm up the bed
heat up the [blanket]
[electric blanket] on
== blanket_off
[blanket] off
the bed is warm enough
== hot_tub_on
heat up the [hot tub]
get the [spa] warm
[hot tub] on
== hot_tub_off
[hot tub] off
switch off the [spa]
== music_pause
hold the [music]
pause the [music]
pause this [song]
pause the [tunes]
hang on, pause the [music]
hit pause on the [music]
[music] on hold
pause [playback]
== music_play
unpause the [music]
resume the [music]
play the [music] again
carry on with the [music]
start the [music] again
keep the [music] going
un-pause the [song]
back to the [music]
== music_stop
kill the [music]
stop the [music]
enough [music]
cut the [music]
stop playing the [song]
no more [music]
== music_next
skip this [track]
skip this [song]
next [song]
next [track] please
play the next [song]
i don't like this [song], skip it
skip the [tune]
move on to the next [track]
== music_prev
previous [song]
go back a [song]
play the last [song] again
back one [track]
go to the previous [track]
replay the last [song]
== music_up
turn the [music] up
[music] louder
crank the [music] up a bit
[music] up a little
louder [music] please
pump up the [music]
== music_down
turn the [music] down
[music] quieter
bit quieter with the [music]
lower the [music]
[music] down a little
turn down the [tunes]
== music_set
[music] at {pct}
set the [music] volume to {pct}
[music] volume to {pct}
put the [music] on {pct} volume
turn the [music] to {pct}
== music_mute
mute the [music]
silence the [music]
[music] on mute
== music_unmute
unmute the [music]
[music] back on, unmute it
take the [music] off mute
== tv_pause
pause the [show]
pause the [movie]
hold the [film]
pause the [telly]
[tv] pause
== tv_play
resume the [show]
unpause the [movie]
carry on with the [film]
play the [show] again
== tv_off
[tv] off
turn off the [telly]
switch the [television] off
kill the [tv]
shut the [tv] off
== tv_on
[tv] on
turn on the [telly]
put the [tv] on
switch the [television] on
== tv_mute
mute the [tv]
[telly] on mute
silence the [tv]
mute the [show]
== clean_start
clean the floors
vacuum the house
start [cleaning]
do the [vacuuming]
hoover the house
get the floors cleaned
run a clean
time to [vacuum]
== clean_stop
stop [cleaning]
stop the [vacuuming]
that's enough [vacuuming]
== clean_dock
send the [vacuum] home
[vacuum] back to base
send the [robot] back
done [cleaning], go back to the dock
== clean_pause
pause the [cleaning]
hold the [vacuum]
== heat_to
[heating] to {temp}
set the [heating] to {temp}
heat the house to {temp}
make it {temp} degrees in here
warm the place up to {temp}
cool the house to {temp}
i'd like it {temp} degrees
put the [heat] on {temp}
[thermostat] {temp} please
bring the [temperature] to {temp}
[temperature] {temp}
== scene_movie
movie time
let's watch a movie
time for a film
we're watching a movie
set up for a movie
== scene_night
time for bed
we're going to bed
goodnight
night night
bedtime
i'm off to bed
== scene_morning
good morning
morning
rise and shine
i'm up
== scene_dinner
dinner time
we're having dinner
time to eat
== scene_relax
let's relax
chill out time
time to unwind
== scene_party
party time
let's get the party started
== scene_away
i'm heading out
we're leaving
i'm off, bye
== scene_reading
reading time
i want to read
== fan_unique_on
turn the [fan] on
[fan] on
switch on the [fan]
get the [fan] going
start the [fan]
== fan_unique_off
turn off the [fan]
[fan] off
stop the [fan]
== fan_unique_pct
[fan] at {pct}
[fan] speed {pct}
set the [fan] to {pct}
== garage_open_unique
open the [garage]
[garage] open
open the [garage door]
lift the [garage door]
== garage_close_unique
shut the [garage door]
close the [garage]
[garage] down
[garage door] closed
== gate_open
open the [gate]
[gate] open please
== gate_close
close the [gate]
shut the [gate]
== alarm_unique_arm
arm the [alarm]
[alarm] on
set the [alarm]
== alarm_unique_disarm
disarm the [alarm]
[alarm] off
switch off the [alarm]
== colour_home
lights {color}
make the lights {color}
turn the lights {color}
lights {color} please
can we have {color} lights
go {color} with the lights
{color} lights
change the lights to {color}
set the lights to {color}
== colour_area
{area} lights {color}
make it {color} in the {area}
{color} in the {area}
turn the {area} {color}
{area} {color}
make the {area} lights {color}
== bright_area
{area} lights to {pct}
{pct} on the {area} lights
dim the {area} to {pct}
{area} at {pct}
lights in the {area} at {pct}
set the {area} lights to {pct}
bring the {area} lights down to {pct}
{area} lighting {pct}
== temp_area
{area} to {temp}
heat the {area} to {temp}
make the {area} {temp} degrees
{area} temperature {temp}
warm the {area} to {temp}
{temp} degrees in the {area}
== position_area_half
{area} blinds halfway
{area} curtains half open
== position_area
{area} blinds to {pct}
put the {area} blinds at {pct}
{area} shades to {pct}
== area_lights_on
{area} lights on
lights on in the {area}
turn on the {area} lights
switch on the lights in the {area}
light up the {area}
i need light in the {area}
get the {area} lights on
== area_lights_off
{area} lights off
lights off in the {area}
kill the lights in the {area}
the {area} lights can go off
switch off the {area} lights
turn the lights off in the {area}
no lights in the {area}
darken the {area}
== outdoor_on
outdoor lights on
turn on the outside lights
lights outside on
switch on the outdoor lights
light up outside
the outside lights on please
turn on the lights outside
== outdoor_off
outdoor lights off
turn off the outside lights
kill the lights outside
switch off the outdoor lights
outside lights off
== except_device_off
all the lights off except the {d}
turn off every light but the {d}
lights off apart from the {d}
every light off except {d}
turn off all the lights, leave the {d} on
kill all the lights but the {d}
== except_device_on
all the lights on except the {d}
turn on every light but the {d}
every light on apart from the {d}
all lights on but leave the {d} off
== except_area_off
all the lights off except in the {area}
turn off every light except the {area} ones
lights off everywhere but the {area}
kill all the lights apart from the {area}
== except_area_on
all the lights on except in the {area}
turn on every light but the {area} ones
lights on everywhere except the {area}
== lock_all
lock every door
make sure both doors are locked
lock up
lock all the doors
make sure all the doors are locked
lock the house
lock everything
lock up the house
all doors locked please
== blinds_all_close
close all the blinds
shut every curtain
all the shades down
close every blind
blinds down everywhere
draw all the curtains
close the blinds in every room
== blinds_all_open
open all the blinds
open up every curtain
all the blinds up
raise all the blinds
open every shade
== area_blinds_open
{area} blinds up
open the {area} blinds
open the curtains in the {area}
== area_blinds_close
{area} blinds down
close the {area} blinds
shut the curtains in the {area}
== fans_all_off
turn off all the fans
every fan off
all the fans off
stop all the fans
== lights_all_off
kill all the lights
lights out everywhere
turn every light off
all lights off please
switch off all the lights
every single light off
== lights_all_on
every light on
turn all the lights on
all the lights on please
light up the whole house
== two_off
turn off the {d} and the {d2}
{d} and {d2} off
switch off the {d} and {d2}
{d} off and the {d2} too
kill the {d} and the {d2}
{d} off, {d2} off
shut off the {d} and also the {d2}
== two_on
turn on the {d} and the {d2}
{d} and {d2} on
switch on the {d} and the {d2}
{d} on and the {d2} as well
== on_off_mix
{d} on and {d2} off
turn on the {d} but switch off the {d2}
{d} on, {d2} off
switch the {d} on and the {d2} off
== off_on_mix
{d} off and {d2} on
turn off the {d} and turn on the {d2}
{d} off but the {d2} on
== leave_on
turn off the {d2} but leave the {d} on
{d2} off, keep the {d} on
switch off the {d2}, not the {d}
== area_but_not_on
turn on the {area} lights but not the {d}
{area} lights on except the {d}
all the {area} lights on apart from the {d}
{area} lights on, leave the {d} off
== area_but_not_off
turn off the {area} lights but not the {d}
{area} lights off except the {d}
all the {area} lights off but keep the {d} on
== unpause
unpause the {d}
un-pause {d}
resume the {d}
carry on playing on the {d}
start the {d} playing again
press play on the {d}
== unmute
unmute the {d}
take the {d} off mute
sound back on for the {d}
{d} unmute please
== raise
raise the {d}
pull up the {d}
{d} up please
roll up the {d}
== lower
lower the {d}
let the {d} down
{d} down please
roll down the {d}
== back_on
turn the {d} back on
{d} back on
switch the {d} on again
== back_off
switch the {d} back off
{d} back off
turn the {d} off again
== music_area_pause
pause the music in the {area}
{area} music on pause
hold the music in the {area}
== music_area_play
resume the music in the {area}
play the music in the {area} again
== music_area_stop
{area} music off
stop the music in the {area}
== music_area_next
next song in the {area}
skip the song in the {area}
== music_area_up
{area} music louder
turn up the music in the {area}
== music_area_down
turn the music in the {area} down
{area} music quieter
== area_both_on
both {area} lights on
switch on both lights in the {area}
turn both of the {area} lights on
== area_both_off
both {area} lights off
turn off both lights in the {area}
== climate_all
all the thermostats to {temp}
every radiator to {temp}
heat every room to {temp}
set all the heating to {temp}
== speakers_all_off
turn off all the speakers
every speaker off
== speakers_all_pause
pause all the speakers
stop the music everywhere
pause the music in every room
== vacuums_all_dock
send all the vacuums home
every vacuum back to base
== clean_area
vacuum the {area}
clean the {area}
send the robot to clean the {area}
hoover the {area}
== fan_unique_max
[fan] on full
[fan] on high
[fan] at full speed
crank up the [fan] all the way
"""
