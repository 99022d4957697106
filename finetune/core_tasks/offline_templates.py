"""Families the sandbox cannot judge: processes and ports, networking, package managers, services,
following a growing file, ownership. Kept for training (verified=false), never in the benchmark.

"kill the process listening on port 8080" was answered `kill -9 8080`, which kills whatever has PID
8080; `kill $(lsof -t -i:8080)` is what was wanted.
"""

from __future__ import annotations

from finetune.core_tasks.draws import anchored, both, choose, log_file, nothing, text_file
from finetune.core_tasks.model import Template

PR, NET, PKG, SVC, FOL, OWN = "process", "network", "package", "service", "follow", "ownership"

PROCS = ["nginx", "python3", "node", "firefox", "chrome", "java", "postgres", "redis-server", "sshd", "gunicorn", "mysqld",
         "apache2", "code", "slack", "dockerd"]
PORTS = ["80", "443", "3000", "5000", "5432", "6379", "8000", "8080", "8443", "9000", "3306", "27017"]
PIDS = ["1234", "4821", "9876", "13337", "2048", "31415", "777", "20500"]
HOSTS = ["example.com", "github.com", "google.com", "8.8.8.8", "1.1.1.1", "192.168.1.1", "api.example.com", "myserver.local"]
URLS = ["https://example.com", "https://example.com/file.tar.gz", "https://api.github.com/users/octocat",
        "http://localhost:8080/health", "https://releases.example.org/tool-1.2.3.tar.gz", "https://example.com/data.csv"]
APT = ["htop", "curl", "git", "vim", "tree", "jq", "ffmpeg", "nginx", "tmux", "python3-pip", "build-essential", "ripgrep"]
PIP = ["requests", "numpy", "pandas", "flask", "django", "black", "pytest", "httpx", "rich", "scipy"]
SERVICES = ["nginx", "docker", "ssh", "postgresql", "apache2", "cron", "redis-server", "mysql", "bluetooth", "NetworkManager"]
USERS = ["www-data", "alice", "bob", "root", "deploy", "postgres"]

_proc = choose(proc=PROCS)
_port = choose(port=PORTS)
_pid = choose(pid=PIDS)
_host = choose(host=HOSTS)
_url = choose(url=URLS)


def _download(view, rng):
    """A url and the name a request saves it under, which fits it (`data.csv` for .../data.csv)."""
    url = rng.choice(URLS)
    tail = url.rstrip("/").rsplit("/", 1)[-1]
    out = tail if "." in tail and not url.endswith(".com") else rng.choice(["page.html", "index.html", "out.json"])
    return {"url": url, "out": out if rng.random() < 0.6 else rng.choice(["download.bin", "saved_" + out])}
_apt = choose(pkg=APT)
_pip = choose(pkg=PIP)
_svc = choose(svc=SERVICES)
_count = choose(n=["3", "4", "5", "10"])


def _t(group: str, family: str, command: str, phrasings: list[str], draw=nothing) -> Template:
    return Template(group=group, family=family, command=command, phrasings=phrasings, draw=draw, expect="output")


TEMPLATES = [
    # processes and ports
    _t("ps-aux", PR, "ps aux", ["(list|show) (all )?running processes", "what's running (on this machine|right now)", "every process with its owner"]),
    _t("ps-grep", PR, "ps aux | grep {proc}", ["is {proc} running", "(find|show) the {proc} process(es)?", "processes named {proc}"], _proc),
    _t("pgrep", PR, "pgrep -f {proc}", ["pid of {proc}", "process id(s)? of (the )?{proc}", "what's the pid of {proc}"], _proc),
    _t("pgrep-l", PR, "pgrep -l {proc}", ["list {proc} processes with their pids", "pids and names of {proc} processes"], _proc),
    _t("pidof", PR, "pidof {proc}", ["pidof {proc}", "which pid does {proc} have"], _proc),
    _t("pkill", PR, "pkill {proc}", ["kill (all )?{proc} processes", "stop every {proc} process", "kill {proc} by name"], _proc),
    _t("pkill-f", PR, "pkill -f {proc}", ["kill (every|any) process whose command line mentions {proc}", "pkill the {proc} command"], _proc),
    _t("killall", PR, "killall {proc}", ["killall {proc}", "terminate all instances of {proc}"], _proc),
    _t("kill-pid", PR, "kill {pid}", ["kill (process|pid) {pid}", "stop the process with pid {pid}", "terminate pid {pid} gracefully"], _pid),
    _t("kill-9", PR, "kill -9 {pid}", ["force kill (process|pid) {pid}", "kill -9 {pid}", "process {pid} is stuck, kill it hard"], _pid),
    _t("kill-hup", PR, "kill -HUP {pid}", ["send SIGHUP to {pid}", "tell process {pid} to reload (its config)?"], _pid),
    _t("kill-port", PR, "kill $(lsof -t -i:{port})", ["kill (the|whatever) process (listening|running) on port {port}",
                                                      "free up port {port} by killing what uses it", "stop whatever is using port {port}"], _port),
    _t("fuser-port", PR, "fuser -k {port}/tcp", ["kill what's on tcp port {port} with fuser", "fuser kill port {port}"], _port),
    _t("lsof-port", PR, "lsof -i :{port}", ["what('s| is) (using|listening on) port {port}", "which process has port {port} open",
                                            "who is on port {port}"], _port),
    _t("ss-listen", PR, "ss -tlnp", ["(list|show) (all )?listening (tcp )?ports", "which ports are open (and listening)?",
                                     "what's listening on this machine"]),
    _t("ss-port", PR, "ss -tlnp | grep :{port}", ["is anything listening on port {port}", "check if port {port} is (in use|open)"], _port),
    _t("netstat-listen", PR, "netstat -tulpn", ["netstat listening ports with programs", "open tcp and udp ports (netstat)"]),
    _t("lsof-file", PR, "lsof {file}", ["which process has {file_nl} open", "who is using the file {file_nl}"], anchored()),
    _t("lsof-pid", PR, "lsof -p {pid}", ["(files|everything) opened by process {pid}", "open files of pid {pid}"], _pid),
    _t("ps-mem", PR, "ps aux --sort=-%mem | head -n {n}", ["top {n} processes by memory (use)?", "which processes use the most ram (top {n})?"],
       _count),
    _t("ps-cpu", PR, "ps aux --sort=-%cpu | head -n {n}", ["top {n} processes by cpu", "what is eating my cpu (top {n})?"], _count),
    _t("top-batch", PR, "top -b -n 1 | head -n 20", ["snapshot of top (one time)?", "top output once, not interactive"]),
    _t("ps-pid", PR, "ps -p {pid} -o pid,user,etime,cmd", ["details of process {pid}", "how long has pid {pid} been running and what is it"], _pid),
    _t("ps-tree", PR, "ps -ef --forest", ["process tree", "show processes as a tree"]),
    _t("uptime", PR, "uptime", ["how long has this machine been (up|running)", "uptime and load average", "system load"]),
    _t("nohup", PR, "nohup ./{script} > out.log 2>&1 &", ["run {script} in the background (and keep it running after logout|detached)",
                                                          "start {script} with nohup, log to out.log"],
       choose(script=["server.sh", "train.py", "backup.sh", "worker.sh"])),
    _t("jobs", PR, "jobs -l", ["(list|show) (my )?background jobs", "what jobs are running in this shell"]),
    # networking
    _t("ping-c", NET, "ping -c {n} {host}", ["ping {host} {n} times", "(check|test) if {host} is (up|reachable) with {n} pings",
                                             "send {n} pings to {host}"], both(_host, _count)),
    _t("curl-I", NET, "curl -I {url}", ["(show|get) (only )?the (http )?headers (of|from|for) {url}", "response headers of {url}",
                                        "check the http status of {url}"], _url),
    _t("curl-o", NET, "curl -o {out} {url}", ["download {url} (as|to|into) {out}", "save {url} to a file named {out}"],
       _download),
    _t("curl-O", NET, "curl -O {url}", ["download {url} (keeping|with) its (file )?name", "fetch {url} into the current folder"], _url),
    _t("curl-s", NET, "curl -s {url}", ["(print|show|fetch) {url} (quietly|without progress)", "get the body of {url}"], _url),
    _t("curl-L", NET, "curl -L {url}", ["fetch {url} following redirects", "curl {url} and follow redirects"], _url),
    _t("curl-post", NET, "curl -X POST -H 'Content-Type: application/json' -d '{{\"name\": \"test\"}}' {url}",
       ['post json {"name": "test"} to {url}', "send a json post request to {url}"], _url),
    _t("wget", NET, "wget {url}", ["(download|fetch|grab) {url}", "wget {url}"], _url),
    _t("wget-O", NET, "wget -O {out} {url}", ["download {url} (and save it )?as {out}", "wget {url} into {out}"],
       _download),
    _t("wget-c", NET, "wget -c {url}", ["resume (the|a) (download|interrupted download) of {url}", "continue downloading {url}"], _url),
    _t("ip-addr", NET, "ip addr", ["(show|what's|what are) my ip address(es)?", "(list|show) network interfaces and their addresses",
                                   "what ip do i have"]),
    _t("ip-route", NET, "ip route", ["(show|print) the routing table", "what's my default gateway"]),
    _t("ip-4", NET, "ip -4 addr show", ["only my ipv4 addresses", "ipv4 address of each interface"]),
    _t("hostname-I", NET, "hostname -I", ["my (local|lan) ip address", "just the ip address(es)? of this machine"]),
    _t("public-ip", NET, "curl ifconfig.me", ["(what's|what is) my public ip", "my external ip address"]),
    _t("dig", NET, "dig {host}", ["(dns|look up the dns) (lookup|record) (for|of) {host}", "dig {host}"], _host),
    _t("dig-short", NET, "dig +short {host}", ["ip address(es)? of {host}", "what does {host} resolve to", "resolve {host}"], _host),
    _t("dig-mx", NET, "dig MX {host}", ["mail servers (of|for) {host}", "mx records of {host}"], _host),
    _t("nslookup", NET, "nslookup {host}", ["nslookup {host}", "look up {host} in dns"], _host),
    _t("traceroute", NET, "traceroute {host}", ["trace the route to {host}", "which hops does traffic to {host} take"], _host),
    _t("nc-port", NET, "nc -zv {host} {port}", ["is port {port} open on {host}", "check if {host} accepts connections on port {port}"],
       both(_host, _port)),
    _t("ssh", NET, "ssh {user}@{host}", ["(ssh|log in|connect) (in)?to {host} as {user}", "open a shell on {host} as {user}"],
       both(_host, choose(user=["admin", "pi", "ubuntu", "deploy", "root"]))),
    _t("scp", NET, "scp {file} {user}@{host}:~/", ["copy {file_nl} to {host} (as {user})?", "scp {file_nl} to {user}'s home on {host}"],
       both(anchored(), _host, choose(user=["admin", "pi", "ubuntu", "deploy"]))),
    _t("rsync", NET, "rsync -av {dir}/ {user}@{host}:backup/", ["sync {dir_nl} to {host} (with rsync)?", "rsync {dir_nl} to backup/ on {host}"],
       both(anchored(), _host, choose(user=["admin", "pi", "ubuntu", "deploy"]))),
    # packages
    _t("apt-install", PKG, "sudo apt install {pkg}", ["install {pkg}", "apt install {pkg}", "get {pkg} (on|for) ubuntu", "i need {pkg} installed"],
       _apt),
    _t("apt-install-y", PKG, "sudo apt install -y {pkg}", ["install {pkg} without asking", "apt install {pkg}, say yes to everything"], _apt),
    _t("apt-remove", PKG, "sudo apt remove {pkg}", ["(uninstall|remove) {pkg}", "apt remove {pkg}", "get rid of the {pkg} package"], _apt),
    _t("apt-purge", PKG, "sudo apt purge {pkg}", ["(remove|uninstall) {pkg} and its config files", "purge {pkg}"], _apt),
    _t("apt-search", PKG, "apt search {pkg}", ["search (the )?packages for {pkg}", "is there a package (called|for) {pkg}"], _apt),
    _t("apt-show", PKG, "apt show {pkg}", ["(details|info) about the {pkg} package", "describe the package {pkg}"], _apt),
    _t("apt-update", PKG, "sudo apt update", ["(refresh|update) the package (list|index)", "apt update"]),
    _t("apt-upgrade", PKG, "sudo apt update && sudo apt upgrade", ["update (all )?(my )?packages", "upgrade everything installed",
                                                                  "update the system"]),
    _t("apt-installed", PKG, "apt list --installed", ["(list|show) installed packages", "what packages do i have installed"]),
    _t("apt-installed-grep", PKG, "apt list --installed | grep {pkg}", ["is {pkg} installed", "check whether the {pkg} package is installed"],
       _apt),
    _t("dpkg-grep", PKG, "dpkg -l | grep {pkg}", ["dpkg list entries for {pkg}", "installed version of {pkg} (from dpkg)?"], _apt),
    _t("dpkg-i", PKG, "sudo dpkg -i {deb}", ["install the (local )?deb {deb}", "install {deb}"],
       choose(deb=["downloads/installer.deb", "code_1.89_amd64.deb", "./slack.deb"])),
    _t("apt-autoremove", PKG, "sudo apt autoremove", ["remove (unused|orphaned) packages", "clean up packages nothing needs"]),
    _t("pip-install", PKG, "pip install {pkg}", ["pip install {pkg}", "install the python package {pkg}", "add {pkg} to my python"], _pip),
    _t("pip-upgrade", PKG, "pip install --upgrade {pkg}", ["upgrade {pkg} (with pip|to the latest version)", "update the python package {pkg}"],
       _pip),
    _t("pip-uninstall", PKG, "pip uninstall {pkg}", ["uninstall (the python package )?{pkg}", "pip remove {pkg}"], _pip),
    _t("pip-list", PKG, "pip list", ["(list|show) (installed )?python packages", "what pip packages do i have"]),
    _t("pip-show", PKG, "pip show {pkg}", ["(version|details) of the installed {pkg} package", "pip info for {pkg}"], _pip),
    _t("pip-freeze", PKG, "pip freeze > requirements.txt", ["save (my )?installed python packages to requirements.txt",
                                                            "write a requirements.txt (of|from) the current environment"]),
    _t("pip-requirements", PKG, "pip install -r requirements.txt", ["install (everything|the packages) (in|from) requirements.txt",
                                                                    "install the requirements"]),
    _t("pip-outdated", PKG, "pip list --outdated", ["which python packages are outdated", "pip packages with newer versions"]),
    _t("npm-install", PKG, "npm install {pkg}", ["npm install {pkg}", "add the node package {pkg}"],
       choose(pkg=["express", "react", "lodash", "axios", "typescript"])),
    # services
    _t("systemctl-status", SVC, "systemctl status {svc}", ["(is|check if) {svc} (is )?running", "status of the {svc} service", "systemctl status {svc}"],
       _svc),
    _t("systemctl-restart", SVC, "sudo systemctl restart {svc}", ["restart {svc}", "restart the {svc} service", "bounce {svc}"], _svc),
    _t("systemctl-start", SVC, "sudo systemctl start {svc}", ["start (the )?{svc}( service)?", "bring {svc} up"], _svc),
    _t("systemctl-stop", SVC, "sudo systemctl stop {svc}", ["stop (the )?{svc}( service)?", "shut down {svc}"], _svc),
    _t("systemctl-enable", SVC, "sudo systemctl enable --now {svc}", ["enable {svc} at boot and start it now", "make {svc} start on boot"], _svc),
    _t("journalctl-u", SVC, "journalctl -u {svc} -n {n}", ["last {n} log lines of (the )?{svc}( service)?", "recent logs for {svc} ({n} lines)"],
       both(_svc, _count)),
    _t("journalctl-f", SVC, "journalctl -u {svc} -f", ["follow the {svc} logs", "tail the logs of {svc} live"], _svc),
    _t("systemctl-list", SVC, "systemctl list-units --type=service --state=running", ["(list|show) running services", "which services are running"]),
    # following files
    _t("tail-f", FOL, "tail -f {file}", ["follow {file_nl}", "(watch|tail) {file_nl} (as it grows|live|in real time)",
                                         "keep showing new lines of {file_nl}"], log_file),
    _t("tail-n-f", FOL, "tail -n {n} -f {file}", ["show the last {n} lines of {file_nl} and keep following it",
                                                  "tail {file_nl} from {n} lines back, live"], log_file),
    _t("tail-F", FOL, "tail -F {file}", ["follow {file_nl} even if it gets rotated", "tail -F {file_nl}"], log_file),
    _t("tail-f-grep", FOL, "tail -f {file} | grep {level}", ["watch {file_nl} for new {level_nl} lines", "live {level_nl}s from {file_nl}"],
       log_file),
    _t("watch", FOL, "watch -n {secs} '{what}'", ["run {what} every {secs} seconds", "refresh {what} every {secs}s"],
       choose(secs=["1", "2", "5", "10"], what=["df -h", "free -h", "ls -l", "date", "uptime"])),
    _t("less-F", FOL, "less +F {file}", ["open {file_nl} in less and follow it", "less {file_nl} in follow mode"], text_file()),
    # ownership
    _t("chown", OWN, "sudo chown {user} {file}", ["make {user} the owner of {file_nl}", "change the owner of {file_nl} to {user}",
                                                  "give {file_nl} to {user}"], both(anchored(), choose(user=USERS))),
    _t("chown-group", OWN, "sudo chown {user}:{user} {file}", ["set owner and group of {file_nl} to {user}", "chown {file_nl} to {user}:{user}"],
       both(anchored(), choose(user=USERS))),
    _t("chown-R", OWN, "sudo chown -R {user} {dir}", ["(recursively )?change the owner of {dir_nl} (and everything in it )?to {user}",
                                                      "give {user} ownership of everything in {dir_nl}"], both(anchored(), choose(user=USERS))),
    _t("chown-me", OWN, "sudo chown -R $USER {dir}", ["take ownership of {dir_nl}", "make me the owner of everything (in|under) {dir_nl}"],
       anchored()),
    _t("chgrp", OWN, "sudo chgrp {group} {file}", ["change the group of {file_nl} to {group}", "set {file_nl}'s group to {group}"],
       both(anchored(), choose(group=["staff", "www-data", "developers", "docker", "adm"]))),
]
