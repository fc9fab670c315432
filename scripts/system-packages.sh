#!/usr/bin/env bash
# Debian packages some features use (OCR, old Word/Excel files, the browser test, compose validation).
# Installed when running as root with apt-get; otherwise the script says what is missing.
set -uo pipefail
pkgs=(tesseract-ocr tesseract-ocr-chi-sim antiword chromium fonts-wqy-microhei docker-compose libreoffice-writer-nogui libreoffice-calc-nogui)
missing=()
for p in "${pkgs[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "installing Debian packages: ${missing[*]}"
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}") >/tmp/nianbao-apt.log 2>&1 \
    || { echo "apt-get failed, see /tmp/nianbao-apt.log"; tail -5 /tmp/nianbao-apt.log; exit 1; }
else
  echo "note: Debian packages not installed (need root + apt-get): ${missing[*]}"
fi
