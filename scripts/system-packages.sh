#!/usr/bin/env bash
# Install the servers and tools the local cloud runs, from the system's package manager.
# As root on Debian/Ubuntu it installs what is missing; otherwise it prints the exact command.
set -euo pipefail

# pgaudit is built for one PostgreSQL major version: the one the postgresql package brings
# (15 on Debian 12, 14 on Ubuntu 22.04, 16 on Ubuntu 24.04; 15 until the package lists are read).
pgaudit_package() {
    local major
    major=$(apt-cache depends postgresql 2>/dev/null | sed -n 's/^ *Depends: postgresql-\([0-9][0-9]*\)$/\1/p' | head -1)
    echo "postgresql-${major:-15}-pgaudit"
}
DEBIAN_PACKAGES=(postgresql postgresql-contrib etcd-server haproxy pgbouncer mariadb-server
                 redis-server memcached python3-venv chromium make nftables)
# Homebrew has no pgaudit formula: lab 19 names the way to build it when it is missing.
BREW_PACKAGES=(postgresql@15 etcd haproxy pgbouncer mariadb redis memcached)

if command -v dpkg-query >/dev/null 2>&1; then
    missing=()
    for pkg in "${DEBIAN_PACKAGES[@]}" "$(pgaudit_package)"; do
        status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)
        [[ "$status" == "install ok installed" ]] || missing+=("$pkg")
    done
    [ ${#missing[@]} -eq 0 ] && exit 0
    if [ "$(id -u)" -eq 0 ]; then
        echo "installing system packages: ${missing[*]}"
        export DEBIAN_FRONTEND=noninteractive
        apt-get update -q
        missing=("${missing[@]/postgresql-*-pgaudit/$(pgaudit_package)}")  # now that apt knows the version
        available=()
        for pkg in "${missing[@]}"; do  # Ubuntu ships Chromium only as a snap: the browser test needs it
            if apt-cache show "$pkg" >/dev/null 2>&1; then available+=("$pkg"); else echo "no package $pkg here: skipped" >&2; fi
        done
        apt-get install -y -q --no-install-recommends "${available[@]}"
    else
        echo "The course needs these system packages. Install them, then run this command again:" >&2
        echo "    sudo apt-get update && sudo apt-get install -y ${missing[*]}" >&2
        exit 1
    fi
elif command -v brew >/dev/null 2>&1; then
    missing=()
    for pkg in "${BREW_PACKAGES[@]}"; do
        brew list --versions "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
    done
    [ ${#missing[@]} -eq 0 ] && exit 0
    echo "installing Homebrew packages: ${missing[*]}"
    brew install "${missing[@]}"
else
    echo "No apt (Debian/Ubuntu) or Homebrew (macOS) found. Install PostgreSQL, etcd, HAProxy," >&2
    echo "PgBouncer, MariaDB, Redis and memcached with your package manager, or use docker-compose.yml." >&2
    exit 1
fi
