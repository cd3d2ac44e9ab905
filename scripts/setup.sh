#!/usr/bin/env bash
# One-time machine setup: Debian packages for the sandbox and tests, then npm packages.
# Safe to run again; it skips what is already there.
set -euo pipefail
cd "$(dirname "$0")/.."

debian_packages=(
  bubblewrap
  python3-ipykernel python3-jupyter-client python3-numpy python3-pil python3-matplotlib
  python3-opencv python3-sympy python3-scipy python3-autopep8
  fonts-dejavu-core
  chromium
)
missing=()
for package in "${debian_packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed' || missing+=("$package")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing Debian packages: ${missing[*]}"
  sudo_cmd=()
  [ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq "${missing[@]}" >/dev/null
fi

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "setup: installing npm packages"
  npm ci --no-audit --no-fund
fi
echo "setup: building the CLI into dist/"
npm run --silent build
# The viewer front end (deepeyes view): a static build into web/dist.
if [ ! -f web/dist/index.html ] || [ -n "$(find web/src web/index.html package-lock.json -newer web/dist/index.html 2>/dev/null | head -1)" ]; then
  echo "setup: building the viewer front end"
  npm run build:web
fi
echo "setup: done"
