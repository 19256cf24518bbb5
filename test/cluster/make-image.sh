#!/usr/bin/env bash
# Writes the test cluster's container "image" for test/cluster/singularity: the host's system
# directories (so node and bash work inside), without the Slurm commands and configuration, which a
# real image does not have either: /usr/bin and /usr/sbin are shadowed by hard-linked copies
# (OUT_FILE.d/, same file system) from which the Slurm and munge commands are removed, so they are
# not found in PATH at all. Usage: make-image.sh OUT_FILE. Re-running rebuilds it.
set -euo pipefail
out=${1:?usage: make-image.sh OUT_FILE}
mkdir -p "$(dirname "$out")"
shadow="$out.d"
rm -rf "$shadow.new"
mkdir -p "$shadow.new/usr"
cp -al /usr/bin "$shadow.new/usr/bin"
cp -al /usr/sbin "$shadow.new/usr/sbin"
for pkg in slurm-client slurmctld slurmd slurmdbd slurm-wlm-basic-plugins munge; do
  dpkg -L "$pkg" 2>/dev/null || true
done | grep -E '^/usr/s?bin/' | sort -u | while read -r f; do rm -f "$shadow.new$f"; done
rm -rf "$shadow"
mv "$shadow.new" "$shadow"
tmp="$out.tmp.$$"
{
  echo "# neoxctl test image: host system directories, Slurm hidden. Written by make-image.sh."
  for d in /usr /etc /opt /var/lib/dpkg; do [ -d "$d" ] && echo "ro $d"; done
  for d in /bin /sbin /lib /lib64 /lib32; do
    if [ -L "$d" ]; then echo "link $(readlink "$d") $d"; elif [ -d "$d" ]; then echo "ro $d"; fi
  done
  echo "over $shadow/usr/bin /usr/bin"
  echo "over $shadow/usr/sbin /usr/sbin"
  for d in /etc/slurm /etc/munge; do [ -d "$d" ] && echo "empty $d"; done
} > "$tmp"
mv "$tmp" "$out"
