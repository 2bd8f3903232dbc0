#!/bin/sh
# Install the Debian packages imprint's build, tests and demo need, but
# only those missing, so a second run is quiet and touches nothing.
# Run as root on Debian 12.  `make deps` calls this; on a machine without
# make, run it directly: sh contrib/install-deps.sh
set -eu

# build: compiler, make, pkg-config and the -dev packages the Makefile's
#   pkg-config line names (libguestfs, uuid, libcrypt, json-c,
#   libxml2-dev for libxml-2.0: libvirt domain XML is parsed with libxml2,
#   libyaml-dev for yaml-0.1: netplan YAML is located with libyaml, then
#   edited by byte splices, as libyaml cannot write a file back as it was,
#   and libvirt-dev for libvirt: the libvirt path of `[host] domain` reads
#   and defines domains through libvirt's client library; no libvirtd is
#   needed to build or test, the unit tests use the in-process test driver
#   test:///default that libvirt0 carries), and libselinux1-dev for
#   libselinux: a file imprint creates without a sibling to copy from gets
#   the label the guest's own file_contexts gives its path)
# tests: libguestfs-tools (guestfish builds the test images), qemu-utils
#   (qemu-img overlays), mandoc (man page lint), libxen-dev (libxlutil as
#   referee for xl.cfg edits), clang (libFuzzer), valgrind
#   jq (reads --json output in tests), debootstrap and qemu-system-x86
#   (the boot proof: a real Debian guest booted after imprint apply),
#   fdisk and e2fsprogs (the boot proof's disk is made on the host: sfdisk
#   partitions it, mke2fs -d fills its filesystems),
#   python3 (t-alive holds a block device with O_EXCL), libvirt-clients
#   and libxml2-utils (virt-xml-validate, which runs xmllint against
#   libvirt's schemas, judges every domain XML t-domxml writes)
# run time: openssh-client (ssh-keygen makes a clone's new SSH host keys,
#   recipe key ssh-hostkeys = new)
# bench: time (GNU time for peak RSS)
PKGS="build-essential pkg-config libguestfs-dev libguestfs-tools uuid-dev
libcrypt-dev libjson-c-dev qemu-utils mandoc libxen-dev clang valgrind time
jq debootstrap qemu-system-x86 fdisk e2fsprogs python3 libxml2-dev
libvirt-clients libxml2-utils libvirt-dev libyaml-dev libselinux1-dev
openssh-client ansible parallel"

missing=
for p in $PKGS; do
	s=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
	case $s in
	"install ok installed") ;;
	*) missing="$missing $p" ;;
	esac
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" != 0 ]; then
	echo "install-deps: missing packages:$missing (run as root)" >&2
	exit 1
fi
echo "install-deps: installing$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq $missing >/dev/null
