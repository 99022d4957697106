"""Decoding: the llama.cpp runner (runner), what the caller knows about its answer (guide), the rules
registered by name that fix the small model's known failures (rules, registry), and one request's
decoding with the rules that decode again (decoder)."""
