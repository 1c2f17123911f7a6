"""The machine and the versions a report was measured with: figures from another machine, or
other versions, are not comparable, so the report states both."""

from __future__ import annotations

import importlib.metadata
import os
import platform
import re
import shutil
import subprocess
from pathlib import Path

from bench.sparql import PEER_VERSION
from bench.systems import OXIGRAPH, VIRTUOSO


def machine() -> dict[str, str]:
    cpu = _grep("/proc/cpuinfo", r"^model name\s*:\s*(.+)$") or platform.processor() or "?"
    memory = _grep("/proc/meminfo", r"^MemTotal:\s*(\d+) kB")
    release = _grep("/etc/os-release", r'^PRETTY_NAME="?([^"\n]+)"?') or platform.system()
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    return {
        "CPU": cpu,
        "cores": str(os.cpu_count()),
        "RAM": f"{int(memory) / 1024 / 1024:.1f} GiB" if memory else "?",
        "OS": f"{release}, Linux {platform.release()}",
        "load average at the start (1, 5, 15 min)": load,
    }


def versions() -> dict[str, str]:
    found = {
        "Python": platform.python_version(),
        "publisher": _package("gcm-publisher"),
        "pyoxigraph": _package("pyoxigraph"),
        "Oxigraph server": _first_line([str(OXIGRAPH), "--version"]) if OXIGRAPH else "absent",
        "nginx": _first_line(["nginx", "-v"]) if _nginx() else "absent",
        "Virtuoso": _virtuoso(),
        "wrk": _first_line(["wrk", "-v"]) if shutil.which("wrk") else "absent",
        "rdflib-endpoint": PEER_VERSION.split("==")[1] + " (its own virtual environment)",
        "uvicorn": _package("uvicorn"),
        "FastAPI": _package("fastapi"),
        "matplotlib": _package("matplotlib"),
        "git commit": _first_line(["git", "rev-parse", "--short", "HEAD"]),
        "uncommitted changes measured": _changed(),
    }
    return found


def _changed() -> str:
    """Tracked files that differ from the commit: the run measured those too."""
    lines = _output(["git", "status", "--porcelain", "--untracked-files=no"]).splitlines()
    names = sorted(line[3:] for line in lines if line.strip())
    return ", ".join(names) if names else "none"


def _nginx() -> bool:
    return bool(shutil.which("nginx")) or Path("/usr/sbin/nginx").exists()


def _virtuoso() -> str:
    if not (VIRTUOSO and Path(VIRTUOSO).exists()):
        return "absent"
    text = _output([VIRTUOSO, "-?"])
    found = re.search(r"Version (\S+)", text)
    return found.group(1) if found else "?"


def _package(name: str) -> str:
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return "absent"


def _output(command: list[str]) -> str:
    if command[0] == "nginx" and not shutil.which("nginx"):
        command = ["/usr/sbin/nginx", *command[1:]]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=20)
    except (OSError, subprocess.TimeoutExpired):
        return ""
    return done.stdout + done.stderr  # nginx and wrk print their versions on stderr


def _first_line(command: list[str]) -> str:
    lines = _output(command).strip().splitlines()
    return re.sub(r"\s+Copyright.*$", "", lines[0]).strip() if lines else "?"


def _grep(path: str, pattern: str) -> str | None:
    try:
        text = Path(path).read_text(errors="replace")
    except OSError:
        return None
    found = re.search(pattern, text, re.MULTILINE)
    return found.group(1).strip() if found else None
