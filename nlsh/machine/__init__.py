"""What this machine knows about its programs, read once and shared by Explain, the validator and
the retriever: where a command word comes from (resolve), the programs installed and which may be
asked for --help (programs), their documentation (docs: man pages, builtin help, --help, tldr) and
its option entries (manpage), the whatis/tldr index of what each is for (index), and the user's own
shell histories (shell_history)."""
