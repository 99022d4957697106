"""git basics in the tree's repository: status, log, branch, diff, show, blame, ls-files, stash, checkout.

The repository is a folder below HOME, so a command enters it first: `cd REPO && git ...` as people
type it (`git -C REPO ...` is a reference too).
"""

from __future__ import annotations

from finetune.core_tasks.draws import both, choose, repo, with_new, folder
from finetune.core_tasks.model import Template

G = "git"
IN = "(in|for|of) {repo_nl}"  # `{IN}` in a wording of git()


def git(group: str, args: str, phrasings: list[str], *, expect: str = "output", kind: str = "compositional",
        alternatives: tuple[str, ...] = (), draw=repo) -> Template:
    """A git template run inside the repository; `git -C` spellings are references too."""
    return Template(group=group, family=G, draw=draw, expect=expect, kind=kind, command=f"cd {{repo}} && git {args}",
                    alternatives=[f"git -C {{repo}} {args}"] + [f"cd {{repo}} && git {a}" for a in alternatives],
                    phrasings=[p.replace("{IN}", IN) for p in phrasings])


_subject_word = both(repo, choose(subject=["README", "typo", "tests", "version", "interface", "flag"]))

TEMPLATES = [
    git("git-status", "status", ["(what's the|show) (git )?status {IN}", "what changed in {repo_nl} that isn't committed",
                                 "git status of {repo_nl}", "any uncommitted changes in {repo_nl}?"]),
    git("git-status-short", "status -s", ["short (git )?status of {repo_nl}", "compact git status for {repo_nl}",
                                         "one line per changed file in {repo_nl}"], kind="flag", alternatives=("status --short",)),
    git("git-log-oneline", "log --oneline -n {n}", ["(last|latest) {n_nl} commits {IN} (one line each|briefly)?",
                                                   "show the {n} most recent commits of {repo_nl} as one-liners",
                                                   "short log of the last {n} commits in {repo_nl}"],
        kind="flag", alternatives=("log --oneline -{n}", "log --oneline --max-count={n}")),
    git("git-log-full", "log -n {n}", ["(show|print) the last {n_nl} commits {IN} with (details|authors and dates)",
                                      "full log of the latest {n} commits in {repo_nl}"]),
    git("git-log-all-oneline", "log --oneline", ["(all commits|every commit) {IN}, one per line", "commit history of {repo_nl} (in short|briefly)"]),
    git("git-branch", "branch", ["(list|show) (the )?branches {IN}", "which branches does {repo_nl} have", "local branches of {repo_nl}"],
        alternatives=("branch --list",)),
    git("git-current-branch", "branch --show-current", ["which branch am i on in {repo_nl}", "current branch of {repo_nl}",
                                                        "name of the checked out branch in {repo_nl}"],
        kind="flag", alternatives=("rev-parse --abbrev-ref HEAD",)),
    git("git-diff-stat", "diff --stat", ["(summary|stats) of (the )?uncommitted changes {IN}", "which files changed and by how much in {repo_nl}",
                                        "diffstat of {repo_nl}"], kind="flag"),
    git("git-diff", "diff", ["(show|print) (the )?uncommitted changes {IN}", "what did i change in {repo_nl}", "git diff (of|in) {repo_nl}"]),
    git("git-diff-names", "diff --name-only", ["(names|list) of (the )?(modified|changed) files {IN}", "which tracked files have changes in {repo_nl}"],
        kind="flag"),
    git("git-show-stat", "show --stat HEAD", ["what did the last commit {IN} change", "files touched by the latest commit in {repo_nl}"],
        alternatives=("show --stat",)),
    git("git-show", "show HEAD", ["(show|print) the last commit {IN} with its diff", "details and diff of the latest commit in {repo_nl}"],
        alternatives=("show",)),
    git("git-show-file-before", "show HEAD~1:{tracked}", ["{tracked} as it was one commit ago in {repo_nl}",
                                                          "previous version of {tracked} in {repo_nl}"]),
    git("git-blame", "blame {tracked}", ["who (wrote|changed|last touched) each line of {tracked} in {repo_nl}", "git blame {tracked} in {repo_nl}",
                                         "line by line authorship of {tracked} {IN}"]),
    git("git-ls-files", "ls-files", ["(list|which) files (are )?tracked (by git )?{IN}", "files git knows about in {repo_nl}"]),
    git("git-untracked", "ls-files --others --exclude-standard", ["(list|show) untracked files {IN}", "new files git isn't tracking in {repo_nl}"],
        alternatives=("status --porcelain --untracked-files=all | grep '^??'",)),
    git("git-log-file", "log --oneline -- {tracked}", ["(history|commits) of {tracked} {IN}", "which commits touched {tracked} in {repo_nl}"],
        kind="flag", alternatives=("log --oneline {tracked}",)),
    git("git-log-grep", "log --oneline --grep={subject}", ["commits (mentioning|about) {subject} {IN}",
                                                         "search the commit messages of {repo_nl} for {subject}"],
        kind="flag", draw=_subject_word, alternatives=("log --oneline --grep {subject}", "log --oneline --grep='{subject}'")),
    git("git-log-author", "log --oneline --author=Sam", ["commits by sam {IN}", "what has sam committed to {repo_nl}"], kind="flag"),
    git("git-shortlog", "shortlog -sn HEAD", ["how many commits per author {IN}", "commit counts by author for {repo_nl}"]),
    git("git-count", "rev-list --count HEAD", ["how many commits (are there )?{IN}", "number of commits in {repo_nl}"],
        alternatives=("log --oneline | wc -l",)),
    git("git-head-hash", "rev-parse HEAD", ["(hash|sha|id) of the (latest|last|current) commit {IN}", "current commit sha of {repo_nl}"],
        alternatives=("log -1 --format=%H",)),
    git("git-log-since", "log --oneline --since=2024-04-01", ["commits since april 1 2024 {IN}", "what was committed to {repo_nl} after 2024-04-01"],
        kind="flag", alternatives=("log --oneline --after=2024-04-01",)),
    git("git-graph", "log --oneline --graph --all", ["(show|draw) the commit graph (of all branches )?{IN}", "branch graph of {repo_nl}"],
        kind="flag"),
    git("git-branch-diff", "diff main {branch} --stat", ["how does {branch} differ from main {IN}", "files changed between main and {branch} in {repo_nl}"]),
    git("git-branch-log", "log --oneline main..{branch}", ["commits on {branch} that aren't on main {IN}", "what's on {branch} but not main in {repo_nl}"]),
    git("git-config-name", "config user.name", ["what name does git use {IN}", "my git user name"], alternatives=("config --get user.name",)),
    git("git-clean-n", "clean -n", ["which untracked files would git clean remove {IN}", "dry run of git clean in {repo_nl}"], kind="flag"),
    git("git-stash", "stash", ["stash (my|the) (uncommitted )?changes {IN}", "put my changes aside in {repo_nl}", "git stash in {repo_nl}"],
        expect="changes", alternatives=("stash push",)),
    git("git-stash-list", "stash && git stash list", ["stash my changes in {repo_nl} and show the stash list",
                                                      "stash the work in {repo_nl}, then list stashes"], expect="output_and_changes"),
    git("git-checkout-b", "checkout -b {newbranch}", ["(create|make) (a new )?branch {newbranch} (and switch to it)? {IN}",
                                                      "start a new branch called {newbranch} in {repo_nl}"],
        expect="changes", kind="flag", alternatives=("switch -c {newbranch}",)),
    git("git-branch-create", "branch {newbranch}", ["create a branch {newbranch} (in {repo_nl} )?without switching to it",
                                                    "new branch {newbranch} {IN}, stay on the current one"], expect="changes"),
    git("git-checkout", "checkout {branch}", ["switch to (the )?(branch )?{branch} {IN}", "check out {branch} in {repo_nl}",
                                              "go to the {branch} branch of {repo_nl}"], expect="changes", alternatives=("switch {branch}",)),
    git("git-commit-all", "commit -am 'wip'", ["commit all (my )?changes {IN} with (the )?message wip",
                                               "commit everything modified in {repo_nl} as 'wip'"], expect="changes",
        alternatives=("commit -a -m 'wip'", "commit -a -m wip")),
    git("git-add-commit", "add -A && git commit -m 'save work'", ["add everything and commit {IN} with message 'save work'",
                                                                 "stage all changes in {repo_nl} and commit them as save work"],
        expect="changes", alternatives=("add . && git commit -m 'save work'",)),
    git("git-restore", "checkout -- pytool/core.py", ["discard (my|the) changes to core.py {IN}", "undo the uncommitted edits to pytool/core.py in {repo_nl}",
                                                      "reset core.py in {repo_nl} to the last commit"],
        expect="changes", alternatives=("restore pytool/core.py",)),
    git("git-tag", "tag v0.2.0", ["tag the current commit (of|in) {repo_nl} as v0.2.0", "create a tag v0.2.0 {IN}"], expect="changes"),
    Template(group="git-init", family=G, expect="changes", draw=with_new(folder(lambda d, v: d == ".")),
             command="git init {new}",
             alternatives=["mkdir {new} && cd {new} && git init"],
             phrasings=["(make|create|start) a new git repo (in|called) {new}", "git init a folder named {new}", "new repository {new} here"]),
]
