#!/bin/sh
# Installs the `espeak-ng` program (the phonemizer runs it as a separate process) on either base:
#   auto   : apt-get if present (Debian: the local podman base), else dnf's package if the
#            repositories have one, else `source`.
#   apt    : Debian/Ubuntu package.
#   source : espeak-ng 1.52.0 (the version Debian trixie ships) built from Debian's pinned
#            source tarball, for Amazon Linux 2023 (public.ecr.aws/lambda/python:3.13), whose
#            repositories have no espeak-ng. Build tools are removed in the same layer.
# espeak-ng is GPL-3.0; it is installed as a program, never linked into the function's code.
set -eu
MODE="${1:-auto}"
ESPEAK_VERSION=1.52.0
ESPEAK_TARBALL_URL="http://deb.debian.org/debian/pool/main/e/espeak-ng/espeak-ng_${ESPEAK_VERSION}+dfsg.orig.tar.gz"
ESPEAK_TARBALL_SHA256=d2a886bae3547a15c52801cb37e415230834a7ee7f9a57352b98d60454d97cea

install_apt() {
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends espeak-ng
  rm -rf /var/lib/apt/lists/* /var/cache/apt/* /usr/share/doc/* /usr/share/man/*
}

dnf_has_package() {
  dnf -q list --available espeak-ng >/dev/null 2>&1
}

install_source() {
  # dnf on Amazon Linux 2023; apt-get only so this path can be tested on the Debian base too.
  if command -v dnf >/dev/null 2>&1; then
    build_tools="gcc gcc-c++ make autoconf automake libtool pkgconf-pkg-config tar gzip"
    dnf install -y -q $build_tools
  else
    build_tools="gcc g++ make autoconf automake libtool pkg-config curl"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $build_tools
  fi
  workdir=$(mktemp -d)
  curl -fsSL "$ESPEAK_TARBALL_URL" -o "$workdir/espeak-ng.tar.gz"
  echo "$ESPEAK_TARBALL_SHA256  $workdir/espeak-ng.tar.gz" | sha256sum -c -
  tar -xzf "$workdir/espeak-ng.tar.gz" -C "$workdir"
  cd "$workdir/espeak-ng-${ESPEAK_VERSION}+dfsg"
  ./autogen.sh >/dev/null
  # No audio output (the function only asks for phonemes): no pcaudio, sonic, klatt, mbrola.
  ./configure --prefix=/usr/local --with-pcaudiolib=no --with-sonic=no --with-klatt=no \
    --with-speechplayer=no --with-mbrola=no --with-async=no >/dev/null
  make -j"$(nproc)" >/dev/null
  make install >/dev/null
  rm -f /usr/local/lib/libespeak*.a /usr/local/lib/libespeak*.la  # static libs: not needed
  cd /
  rm -rf "$workdir"
  if command -v dnf >/dev/null 2>&1; then
    dnf remove -y -q $build_tools || true
    dnf clean all
    rm -rf /var/cache/dnf
  else
    apt-get purge -y -qq --auto-remove $build_tools >/dev/null
    rm -rf /var/lib/apt/lists/* /var/cache/apt/*
  fi
  ldconfig
}

case "$MODE" in
  auto)
    if command -v apt-get >/dev/null 2>&1; then
      install_apt
    elif command -v dnf >/dev/null 2>&1 && dnf_has_package; then
      dnf install -y -q espeak-ng && dnf clean all
    else
      install_source
    fi
    ;;
  apt) install_apt ;;
  source) install_source ;;
  *)
    echo "install_espeak_ng.sh: unknown mode '$MODE' (auto, apt, source)" >&2
    exit 2
    ;;
esac

# Fail the build here, not at the first request, if the program cannot phonemize.
echo "test" | espeak-ng -q --ipa -v en-us >/dev/null
espeak-ng --version
