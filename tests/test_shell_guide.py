"""nlsh.shell_guide: the copy prior that spells a named tool the way the request spells it."""

from __future__ import annotations

from nlsh.shell_guide import BOOST, copy_prior, named_words


def test_program_like_words_of_a_request():
    words = named_words('frobnicate: print config.json, "quoted" 42 ~/src then use aa-cleanprof')
    assert {"frobnicate", "aa-cleanprof", "print", "quoted"} <= words
    assert not words & {"config.json", "42", "~/src", "config"}


def test_a_started_copy_is_finished_and_nothing_else_is_favoured():
    prior = copy_prior("print the file with rainbow colours, pridecat style: notes.txt")
    assert prior("") is None and prior("p") is None  # nothing started yet
    offset = prior("pr")
    assert offset("ide") == BOOST and offset("ight") == 0.0
    assert prior("pride")("cat") == BOOST and prior("pride")("cat ") == BOOST
    assert prior("pride")("") == 0.0  # ending on half a word is never favoured
    assert prior("sudo pr")("id") == BOOST
    assert prior("pridecat ") is None  # past the command word: the model alone decides


def test_the_pipeline_spells_an_unseen_tool_as_typed(model_paths):
    """Tool names the model has never seen, so only the request can spell them. Unguided, the
    shipped model answers the first with `prune -n 10 notes.txt`."""
    from nlsh.config import Config
    from nlsh.pipeline import Pipeline

    path, adapter = model_paths
    pipeline = Pipeline(Config(), model_path=path, lora=adapter, use_cache=False)
    try:
        for request, tool in [("show notes.txt in rainbow colours with pridecat", "pridecat"),
                              ("list all running jobs with quuxctl", "quuxctl")]:
            words = pipeline.generate(request).text.split()
            assert tool in words[:2], (request, words)
    finally:
        pipeline.close()
