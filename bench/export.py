"""Static export through its generated nginx configuration against plain nginx, same files.

`publisher export` writes the repository's dataset (or `--data`) into a temporary folder; two
nginx instances are started on loopback ports with temporary prefixes: one with the generated
`nginx.conf`, one with a plain configuration (`root` on the same `site/` folder, nothing else,
the same http-level settings: sendfile, keep-alive, an access log). wrk then asks each for the
same file, with the same number of connections, taking turns (run by run) so that
both see the same machine; the median of the runs of each is kept. The ratio generated / plain
is the price of the HTTP contract the generated configuration adds (headers, negotiation,
languages, error pages). Goal (issue 14): at least 0.9 for a plain `.html` and `.ttl` file.

The generated configuration keeps open files cached (`open_file_cache`), which stock nginx does
not; a third server, plain nginx with the same cache, is measured too, so the table also shows
the cost of the contract alone (generated / plain+cache).

    python -m bench export                 # 5 s per run, 3 runs each way
    python -m bench.export --seconds 10 --runs 5
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from bench.server import free_port

CONNECTIONS = 16
RUNS = 3
STARTUP_LIMIT = 30.0  # seconds nginx may take to answer (a bound, never a measured figure)
PLAIN_CONF = """worker_processes auto;
pid nginx.pid;
error_log error.log warn;
events {
    worker_connections 1024;
}
http {
    sendfile on;
    tcp_nopush on;
    keepalive_timeout 65;
    access_log access.log;
    client_body_temp_path client_body_temp;
    proxy_temp_path proxy_temp;
    fastcgi_temp_path fastcgi_temp;
    uwsgi_temp_path uwsgi_temp;
    scgi_temp_path scgi_temp;
    types {
        text/html html;
        text/turtle ttl;
    }
    server {
        listen 127.0.0.1:%(port)d;
        root "%(root)s";
    }
}
"""
"""The baseline: what an operator who only wants these files served would write."""
FILE_CACHE = """    open_file_cache max=10000 inactive=60s;
    open_file_cache_valid 10s;
    open_file_cache_errors on;
"""
"""The generated site.conf's file cache (publisher/export/templates/site.conf.j2)."""


@dataclass(frozen=True)
class Pair:
    """One file asked of both servers: generated config at `path`, plain nginx at `file`."""

    name: str
    path: str
    file: str
    generated: float  # requests/s, median of the runs
    plain: float
    plain_cached: float  # plain nginx with the generated config's open_file_cache

    @property
    def ratio(self) -> float:
        """Against stock nginx: the goal's figure."""
        return self.generated / self.plain

    @property
    def contract_ratio(self) -> float:
        """Against plain nginx with the same file cache: what the HTTP contract costs."""
        return self.generated / self.plain_cached


@dataclass(frozen=True)
class ExportResult:
    pairs: tuple[Pair, ...]
    seconds: float
    runs: int
    connections: int = CONNECTIONS

    @property
    def requests_per_second(self) -> float:
        """The generated configuration on the first file (an `.html` document)."""
        return self.pairs[0].generated

    @property
    def plain_requests_per_second(self) -> float:
        return self.pairs[0].plain

    @property
    def ratio(self) -> float:
        """The worst ratio over the files: the goal holds only if it holds for each."""
        return min(pair.ratio for pair in self.pairs)


def find_nginx() -> str | None:
    return shutil.which("nginx") or next(
        (p for p in ("/usr/sbin/nginx", "/usr/local/sbin/nginx") if os.access(p, os.X_OK)), None
    )


def measure(seconds: float = 5.0, runs: int = RUNS, data: list[str] | None = None) -> ExportResult:
    """Export, start both nginx, then alternate wrk runs on each file; needs nginx and wrk."""
    nginx, wrk = find_nginx(), shutil.which("wrk")
    if nginx is None or wrk is None:
        raise SystemExit("bench/export needs nginx and wrk (apt-get install nginx wrk)")
    with tempfile.TemporaryDirectory(prefix="bench-export-") as temp:
        root = Path(temp)
        port, plain_port = free_port(), free_port()
        out = root / "out"
        export(out, port, data or [])
        site = out / "site"
        html, ttl = sample_files(site)
        cached_port = free_port()
        plain_conf, cached_conf = root / "plain.conf", root / "plain-cached.conf"
        plain_conf.write_text(PLAIN_CONF % {"port": plain_port, "root": site})
        cached = PLAIN_CONF.replace("    sendfile on;\n", "    sendfile on;\n" + FILE_CACHE)
        cached_conf.write_text(cached % {"port": cached_port, "root": site})
        files = (("html", html, html_file(site, html)), ("ttl", ttl, ttl))
        with (
            nginx_running(nginx, out / "nginx.conf", root / "state-generated", port),
            nginx_running(nginx, plain_conf, root / "state-plain", plain_port),
            nginx_running(nginx, cached_conf, root / "state-cached", cached_port),
        ):
            pairs = []
            for name, path, file in files:
                urls = (
                    f"http://127.0.0.1:{port}{path}",
                    f"http://127.0.0.1:{plain_port}{file}",
                    f"http://127.0.0.1:{cached_port}{file}",
                )
                rates: tuple[list[float], ...] = ([], [], [])
                for _ in range(runs):
                    for url, rate in zip(urls, rates, strict=True):
                        rate.append(run_wrk(wrk, url, seconds))
                medians = [statistics.median(rate) for rate in rates]
                pairs.append(Pair(name, path, file, *medians))
    return ExportResult(tuple(pairs), seconds, runs)


def export(out: Path, port: int, data: list[str]) -> None:
    """`publisher export` in a child process (the benchmark itself stays light)."""
    command = [sys.executable, "-m", "publisher", "export", str(out)]
    command += ["--public-origin", f"http://127.0.0.1:{port}/", "--listen", f"127.0.0.1:{port}"]
    for item in data:
        command += ["--data", item]
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"publisher export failed:\n{done.stdout}{done.stderr}")


def sample_files(site: Path) -> tuple[str, str]:
    """URL paths of one thing's HTML and Turtle documents (the first thing in file order)."""
    turtle = sorted(site.glob("doc/*/*.ttl"))
    if not turtle:
        raise SystemExit(f"the export in {site} has no /doc/ Turtle document")
    path = "/" + turtle[0].relative_to(site).as_posix()
    return path.removesuffix(".ttl") + ".html", path


def html_file(site: Path, path: str) -> str:
    """The file the generated config serves for a `.html` URL without a language preference:
    the default language's page (`thing.en.html`), as plain nginx must be asked for it."""
    stem = path.removesuffix(".html")
    pages = sorted(site.glob(stem.lstrip("/") + ".*.html"))
    if not pages:
        raise SystemExit(f"no page file for {path}")
    english = [p for p in pages if p.name.endswith(".en.html")]
    return "/" + (english or pages)[0].relative_to(site).as_posix()


@contextmanager
def nginx_running(nginx: str, config: Path, state: Path, port: int) -> Iterator[None]:
    """nginx in the foreground with `state` as prefix; stopped and reaped on the way out."""
    state.mkdir(parents=True)
    directives = "daemon off;" + (" user root;" if os.geteuid() == 0 else "")
    with (state / "stderr.log").open("wb") as log:
        process = subprocess.Popen(
            [nginx, "-p", f"{state}/", "-c", str(config), "-e", "stderr", "-g", directives],
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        wait_for(f"http://127.0.0.1:{port}/", process, state)
        yield
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def wait_for(url: str, process: subprocess.Popen[bytes], state: Path) -> None:
    deadline = time.monotonic() + STARTUP_LIMIT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"nginx exited:\n{(state / 'stderr.log').read_text()}")
        try:
            with urllib.request.urlopen(url, timeout=1):
                return
        except urllib.error.HTTPError:
            return  # it answers (a 404 for the plain server's folder listing)
        except OSError:
            time.sleep(0.05)
    raise SystemExit(f"nginx did not answer {url}")


def run_wrk(wrk: str, url: str, seconds: float) -> float:
    """Requests/s of one wrk run (one thread, CONNECTIONS keep-alive connections); every
    answer must be a 200."""
    command = [wrk, "-t1", f"-c{CONNECTIONS}", f"-d{seconds:g}s", url]
    output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    found = re.search(r"Requests/sec:\s+([\d.]+)", output)
    if found is None or "Non-2xx" in output or "Socket errors" in output:
        raise SystemExit(f"wrk failed or got errors on {url}:\n{output}")
    return float(found.group(1))


def report(result: ExportResult) -> None:
    print(
        f"wrk -t1 -c{result.connections} -d{result.seconds:g}s, median of {result.runs} runs "
        "each, the three servers in turn"
    )
    print(
        f"{'file':<5} {'generated':>10} {'plain':>10} {'ratio':>6} {'plain+cache':>12} "
        f"{'ratio':>6}  path"
    )
    for pair in result.pairs:
        print(
            f"{pair.name:<5} {pair.generated:>10,.0f} {pair.plain:>10,.0f} {pair.ratio:>6.3f} "
            f"{pair.plain_cached:>12,.0f} {pair.contract_ratio:>6.3f}  {pair.path} "
            f"(plain: {pair.file})"
        )
    print(f"worst ratio against stock nginx: {result.ratio:.3f} (goal: at least 0.9)")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.export", description=__doc__)
    parser.add_argument("--seconds", type=float, default=5.0, help="length of each wrk run")
    parser.add_argument("--runs", type=int, default=RUNS, help="wrk runs per file and server")
    parser.add_argument("--data", action="append", default=[], help="data to export instead")
    args = parser.parse_args(argv)
    report(measure(args.seconds, args.runs, args.data))


if __name__ == "__main__":
    main(sys.argv[1:])
