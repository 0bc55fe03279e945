# Shared by scripts/start and scripts/test: make .venv and install minsheng into it.
# Usage: ensure_venv ""      -> pip install -e .
#        ensure_venv "dev"   -> pip install -e '.[dev]'
# Reinstalls only when pyproject.toml changed since the last install (stamp in .venv).

ensure_venv() {
    local extras="$1"
    if [ ! -x .venv/bin/python ] || ! .venv/bin/python -m pip --version >/dev/null 2>&1; then
        echo "==> creating .venv"
        rm -rf .venv
        if ! python3 -m venv .venv; then
            rm -rf .venv
            if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
                echo "==> python3 -m venv needs Debian's python3-venv; installing it"
                apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv
                python3 -m venv .venv
            else
                echo "error: python3 -m venv failed; install python3-venv (sudo apt-get install python3-venv)" >&2
                return 1
            fi
        fi
    fi
    local want stamp target
    want="$(sha256sum pyproject.toml | cut -d' ' -f1)"
    if [ -n "$extras" ]; then
        stamp=".venv/.minsheng-installed-$extras"
        target=".[$extras]"
    else
        stamp=".venv/.minsheng-installed"
        target="."
    fi
    if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] && [ -x .venv/bin/minsheng ]; then
        return 0
    fi
    echo "==> installing minsheng into .venv (pip install -e '$target')"
    .venv/bin/python -m pip install --quiet --disable-pip-version-check -e "$target"
    echo "$want" >"$stamp"
    # The dev extras include everything the plain install needs.
    if [ -n "$extras" ]; then echo "$want" >.venv/.minsheng-installed; fi
}
