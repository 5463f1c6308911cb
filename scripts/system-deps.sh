#!/usr/bin/env bash
# Installs the Debian packages Stellenplan's tests and features need, when missing:
# chromium + chromium-driver (browser tests), libreoffice-calc (Excel recalculation test),
# poppler-utils (PDF to text/PNG), fonts and Pango (WeasyPrint); fonts-crosextra-carlito: the
# metric twin of Calibri (the font of every Excel export), so that LibreOffice lays out and
# prints the exports as Excel does (tests/core/test_export_files.py measures the print).
set -euo pipefail
packages=(chromium chromium-driver libreoffice-calc-nogui poppler-utils fonts-dejavu-core
          fonts-crosextra-carlito
          libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; else SUDO=; fi
echo "Installiere Debian-Pakete: ${missing[*]}"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
