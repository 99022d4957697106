"""The one prompt template: what the model reads of a request."""

from __future__ import annotations

import pytest

from nlsh.prompt import Example, PromptContext, as_read, render_prompt

QUESTIONS = [
    ("is nginx running?", "is nginx running"),
    ("what's my ip address?", "what's my ip address"),
    ("How much disk space is free ?", "How much disk space is free"),
    ("which process is using port 8080??", "which process is using port 8080"),
    ("can you show me the last 10 lines of app.log?", "show me the last 10 lines of app.log"),
    ("is it running?!", "is it running"),
]
SENTENCES = [
    ("count the lines in notes.txt.", "count the lines in notes.txt"),
    ("rename a.txt to b.txt!", "rename a.txt to b.txt"),
    ("set the volume to 5...", "set the volume to 5"),
    ("show the last 20 lines of /var/log/syslog.  ", "show the last 20 lines of /var/log/syslog"),
]
# A closing "?" that is no question mark of the request's own: part of a value, or of a glob.
KEPT = [
    "send an scpi command to an instrument: server.local *IDN?",
    "rename numbered files web9 foo00 foo? dev foo0 foo??",
    "list files matching report?",
    "this? that",
    "is nginx running",
    "isolate the files named a?",
    "list the files in .",
    "go up to ..",
    "run the last command again as root: sudo !!",
    'print "hello world!"',
]


# Words that ask for the task without being part of it.
ASKING = [
    ("please list the files in /tmp", "list the files in /tmp"),
    ("Please, can you show the disk usage?", "show the disk usage"),
    ("can you please restart nginx?", "restart nginx"),
    ("Could you send the vacuum back to its base, please?", "send the vacuum back to its base"),
    ("how do i find files bigger than 100M?", "find files bigger than 100M"),
    ("How to extract backup.tar.gz", "extract backup.tar.gz"),
    ("i want to rename a.txt to b.txt.", "rename a.txt to b.txt"),
    ("I'd like to see my ip address", "see my ip address"),
    ("nlsh, show the last 20 lines of app.log", "show the last 20 lines of app.log"),
    ("hey nlsh: what time is it?", "what time is it"),
    ("help me find large files in ~/Downloads", "find large files in ~/Downloads"),
    ("kill whatever is on port 8080 please", "kill whatever is on port 8080"),
    ("count the lines in notes.txt, thanks!", "count the lines in notes.txt"),
    # a voice assistant's wake word, as requests spoken to a home arrive
    ("alexa, turn on the porch light", "turn on the porch light"),
    ("Hey Google dim the kitchen lights to 40%", "dim the kitchen lights to 40%"),
    ("ok google, please lock the front door", "lock the front door"),
    ("Okay Google: pause the music", "pause the music"),
    ("computer, lights off.", "lights off"),
    ("hey siri can you open the blinds?", "open the blinds"),
    ("siri, kettle on", "kettle on"),
]
# Where such a word is the value, or the whole request.
ASKING_KEPT = [
    "echo please",
    "please",
    "can you",
    "pleased to meet you",
    "comment on pull request 123: Thanks",
    "say thanks",
    "how much disk space is free",
    "how many files are in this folder",
    "alexa",
    "computer name",
    "siri shortcuts list",
    "alexandria timezone",
]


# A question without its "?", a sentence without its full stop, a task without the words asking for it.
@pytest.mark.parametrize("request_, read", QUESTIONS + SENTENCES + ASKING)
def test_the_model_reads_the_task_alone(request_, read):
    assert as_read(request_) == read


# What may be part of a value, or is the whole request.
@pytest.mark.parametrize("request_", KEPT + ASKING_KEPT)
def test_what_may_be_a_value_stays(request_):
    assert as_read(request_) == request_


def test_requests_examples_and_previous_turns_are_read_alike():
    ctx = PromptContext(examples=[Example(instruction="is sshd running?", answer="systemctl status sshd")],
                        previous=Example(instruction="what's in here?", answer="ls"))
    prompt = render_prompt("is nginx running?", ctx)
    assert "Request: is nginx running<|im_end|>" in prompt
    assert "Example: is sshd running => systemctl status sshd" in prompt
    assert "Previous: what's in here => ls" in prompt
    assert "?" not in prompt


# Numbers said in words reach the model in digits: the shipped model wrote brightness_pct=6 for
# "sixty percent" and volume_level=0.05 for "thirty five percent" (bench/home_words).
SPOKEN_NUMBERS = [
    ("hall light sixty percent bright", "hall light 60 percent bright"),
    ("sonos volume at thirty five percent", "sonos volume at 35 percent"),
    ("heat pump at twenty one and a half degrees", "heat pump at 21.5 degrees"),
    ("Seventy-five percent on the lamp", "75 percent on the lamp"),
    ("turn the fan down to twenty", "turn the fan down to 20"),
    ("show the last twenty lines of log.txt", "show the last 20 lines of log.txt"),
    ("wait five minutes then beep", "wait 5 minutes then beep"),
    ("a hundred files", "100 files"),
    ("fan at one percent", "fan at 1 percent"),
]
# Where the word is no quantity, an idiom, or the user's own text.
SPOKEN_NUMBERS_KEPT = [
    "delete the old one",
    "compare two files",
    "get rid of zero byte files",
    "show the last 5 commits, one line each",
    "date in one day",
    "echo 'twenty dollars'",
    "cat notes-twenty.txt",
]


@pytest.mark.parametrize("request_, read", SPOKEN_NUMBERS)
def test_numbers_said_in_words_are_read_in_digits(request_, read):
    assert as_read(request_) == read


@pytest.mark.parametrize("request_", SPOKEN_NUMBERS_KEPT)
def test_number_words_that_are_no_quantity_stay(request_):
    assert as_read(request_) == request_
