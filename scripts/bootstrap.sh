# Shared by scripts/run and scripts/test: a pinned uv in .tools/, then the locked environment.
# Sourced, not run.

UV_VERSION="0.13.9"
export UV_PYTHON_DOWNLOADS=never   # use the machine's Python 3.11+; never download one
export UV_PROJECT_ENVIRONMENT="${UV_PROJECT_ENVIRONMENT:-.venv}"
# Installed packages come with their bytecode, so that a process starts in about two seconds
# instead of compiling every module it imports (which it does each time wherever
# PYTHONDONTWRITEBYTECODE is set).
export UV_COMPILE_BYTECODE=1

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

ensure_uv() {
  UV="$root/.tools/bin/uv"
  if [ -x "$UV" ] && [ "$("$UV" --version | cut -d' ' -f2)" = "$UV_VERSION" ]; then
    return
  fi
  echo "Installing uv $UV_VERSION into .tools/ ..." >&2
  python3 -m venv "$root/.tools"
  "$root/.tools/bin/pip" install --quiet --disable-pip-version-check "uv==$UV_VERSION"
}

# QuestPath's own modules are installed from the source tree: compile them too (and any other
# folders given, such as the tests' helpers).
compile_sources() {
  "$root/$UV_PROJECT_ENVIRONMENT/bin/python" -m compileall -q -j 0 "$root/src" "$@"
}

sudo_if_needed() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

apt_install() {
  echo "Installing $* with apt ..." >&2
  sudo_if_needed apt-get update -qq
  sudo_if_needed env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}
