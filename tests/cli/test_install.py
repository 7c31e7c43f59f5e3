# SPDX-License-Identifier: GPL-2.0
"""`make install` and `make uninstall` into a temporary DESTDIR, as a
distribution's package build runs them: the file list, the module by DKMS
(its source tree and dkms.conf, built here as DKMS would when the kernel
headers are installed) or by modules_install, and an uninstall that
leaves nothing behind."""
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BUILD = Path(os.environ.get("JAILHOUSE_BUILD", ROOT / "build"))


def make(*args):
    res = subprocess.run(["make", "-s", "-C", str(ROOT), "O=" + str(BUILD)]
                         + list(args), capture_output=True, text=True,
                         timeout=300)
    assert res.returncode == 0, res.stdout + res.stderr
    return res.stdout


def kver():
    return subprocess.run([str(ROOT / "scripts" / "kernel-version")],
                          capture_output=True, text=True,
                          check=True).stdout.strip()


def version():
    text = (ROOT / "tools" / "jailhouse.h").read_text()
    return re.search(r'JAILHOUSE_TOOL_VERSION "([^"]+)"', text).group(1)


def files_under(dest):
    return sorted("/" + str(p.relative_to(dest)) for p in dest.rglob("*")
                  if p.is_file())


def common(prefix):
    names = lambda d, ext: sorted(p.name for p in (BUILD / d).glob(ext))
    return ([prefix + "/sbin/jailhouse",
             prefix + "/share/bash-completion/completions/jailhouse",
             "/lib/firmware/jailhouse.bin",
             prefix + "/share/jailhouse/install-manifest"] +
            [prefix + "/share/jailhouse/configs/" + n
             for n in names("configs", "*.cell")] +
            [prefix + "/share/jailhouse/inmates/" + p.stem + ".bin"
             for p in (ROOT / "inmates" / "demos").glob("*.c")])


@pytest.mark.parametrize("prefix", ["/usr", "/opt/jh"])
def test_install_modules_install(tmp_path, prefix):
    dest = tmp_path / "root"
    out = make("install", "DESTDIR=" + str(dest), "PREFIX=" + prefix,
               "DKMS=")
    expected = sorted(common(prefix) + [
        "/lib/modules/%s/extra/jailhouse.ko" % kver()])
    assert files_under(dest) == expected
    manifest = dest / prefix.lstrip("/") / "share/jailhouse/install-manifest"
    assert sorted(manifest.read_text().split()) == expected
    assert "installed %d files" % len(expected) in out
    assert os.access(dest / prefix.lstrip("/") / "sbin/jailhouse", os.X_OK)
    assert (dest / "lib/firmware/jailhouse.bin").read_bytes() == \
        (BUILD / "jailhouse.bin").read_bytes()
    res = subprocess.run([str(dest / prefix.lstrip("/") / "sbin/jailhouse"),
                          "config", "check"] +
                         [str(p) for p in (dest / prefix.lstrip("/") /
                                           "share/jailhouse/configs")
                          .glob("*.cell")], capture_output=True, text=True)
    assert res.returncode == 0, res.stderr
    # something of the user's beside ours stays
    (dest / "lib/firmware/other.fw").write_bytes(b"x")
    out = make("uninstall", "DESTDIR=" + str(dest), "PREFIX=" + prefix)
    assert "removed %d files" % len(expected) in out
    assert files_under(dest) == ["/lib/firmware/other.fw"]
    assert not (dest / prefix.lstrip("/") / "share/jailhouse").exists()


def test_install_dkms(tmp_path):
    dest = tmp_path / "root"
    make("install", "DESTDIR=" + str(dest), "PREFIX=/usr", "DKMS=true")
    src = "/usr/src/jailhouse-%s" % version()
    driver = sorted(src + "/driver/" + p.name for p in
                    (ROOT / "driver").iterdir()
                    if p.name == "Kbuild" or p.suffix in (".c", ".h"))
    headers = sorted(src + "/include/jailhouse/" + p.name for p in
                     (ROOT / "include/jailhouse").glob("*.h"))
    assert files_under(dest) == sorted(common("/usr") + driver + headers +
                                       [src + "/dkms.conf"])
    conf = (dest / src.lstrip("/") / "dkms.conf").read_text()
    assert 'PACKAGE_VERSION="%s"' % version() in conf
    assert 'AUTOINSTALL="yes"' in conf
    assert 'BUILT_MODULE_LOCATION[0]="driver/"' in conf
    # DKMS's build, as dkms.conf's MAKE runs it on a copy of the tree
    kdir = Path("/usr/src/linux-headers-" + kver())
    if (kdir / "Makefile").exists():
        tree = tmp_path / "dkms-build"
        shutil.copytree(dest / src.lstrip("/"), tree)
        cmd = re.search(r'^MAKE\[0\]="(.*)"$', conf, re.M).group(1)
        cmd = cmd.replace("${kernel_source_dir}", str(kdir)).replace(
            "${dkms_tree}/${PACKAGE_NAME}/${PACKAGE_VERSION}/build",
            str(tree))
        res = subprocess.run(cmd, shell=True, capture_output=True,
                             text=True, timeout=300)
        assert res.returncode == 0, res.stdout + res.stderr
        assert (tree / "driver" / "jailhouse.ko").exists()
    make("uninstall", "DESTDIR=" + str(dest), "PREFIX=/usr")
    assert files_under(dest) == []
    assert not (dest / src.lstrip("/")).exists()


def test_uninstall_without_install(tmp_path):
    res = subprocess.run(["make", "-s", "-C", str(ROOT), "uninstall",
                          "DESTDIR=" + str(tmp_path)], capture_output=True,
                         text=True)
    assert res.returncode != 0
    assert "nothing installed" in res.stdout + res.stderr
