#!/usr/bin/env bash
# Idempotent set-up on a fresh Debian machine: system tools, then the project's venv.
# Safe to run again: every step skips what is already there.
set -euo pipefail
cd "$(dirname "$0")/.."

system_packages=(ngspice libngspice0 libngspice0-dev iverilog yosys ccache)

install_system_packages() {
  local missing=()
  for package in "${system_packages[@]}"; do
    dpkg -s "$package" >/dev/null 2>&1 || missing+=("$package")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" -ne 0 ]; then
    echo "setup: missing system packages: ${missing[*]} (run as root, or: sudo apt-get install ${missing[*]})" >&2
    exit 2
  fi
  echo "setup: apt-get install ${missing[*]}"
  DEBIAN_FRONTEND=noninteractive apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

create_venv() {
  local python=${PYTHON:-python3}
  [ -x .venv/bin/python ] || "$python" -m venv .venv
  local pip=(.venv/bin/python -m pip install --quiet --disable-pip-version-check)
  # The CPU build of torch lies on disk; pin it so pip never reaches for a CUDA build.
  [ -d /opt/wheels ] && pip+=(--find-links /opt/wheels)
  # Editable install: the stamp skips pip when pyproject.toml has not changed.
  local stamp=.venv/.codesign-installed
  if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
    # pip warns about every package missing from the machine's local mirrors: drop that noise.
    "${pip[@]}" -e '.[dev]' 2>&1 | { grep -v 'is ignored: it is neither a file nor a directory' || true; }
    [ "${PIPESTATUS[0]}" -eq 0 ] || { echo "setup: pip install failed" >&2; exit 1; }
    touch "$stamp"
  fi
}

install_system_packages
create_venv
echo "setup: ready (.venv/bin/codesign)"
