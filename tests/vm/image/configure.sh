#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# restartprof VM lab: configures the root filesystem (run inside it, by chroot, as root).
set -eu
echo lab >/etc/hostname
printf '127.0.0.1 localhost\n127.0.1.1 lab\n::1 localhost ip6-localhost\n' >/etc/hosts
# A fixed machine id: no first-boot wizard on the console, the same id in every run.
echo 4c41422d726573746172747072f66600 >/etc/machine-id
mkdir -p /mnt/lab /mnt/share
: >/etc/fstab

# The command from the lab share runs once the engine is up (lab.docker=0 masks it away).
cat >/etc/systemd/system/lab-run.service <<'UNIT'
[Unit]
Description=restartprof VM lab: the command passed through the lab share
After=docker.service containerd.service systemd-user-sessions.service
Wants=docker.service
ConditionPathExists=/mnt/lab/guest-run

[Service]
Type=oneshot
ExecStart=/bin/bash /mnt/lab/guest-run
TimeoutStartSec=infinity
StandardOutput=journal+console
StandardError=journal+console

[Install]
WantedBy=multi-user.target
UNIT
mkdir -p /etc/systemd/system/multi-user.target.wants
ln -sf /etc/systemd/system/lab-run.service /etc/systemd/system/multi-user.target.wants/lab-run.service

# Docker under systemd uses the systemd cgroup driver (as on Raspberry Pi OS with cgroup v2).
echo 'DOCKER_OPTS="--exec-opt native.cgroupdriver=systemd"' >/etc/default/docker

# Nothing on the console to log in to, no timers that start work in the middle of a test.
for u in getty@tty1.service serial-getty@ttyS0.service serial-getty@ttyAMA0.service \
	apt-daily.timer apt-daily-upgrade.timer e2scrub_all.timer e2scrub_reap.service \
	fstrim.timer dpkg-db-backup.timer systemd-timesyncd.service; do
	ln -sf /dev/null "/etc/systemd/system/$u"
done
# journald in memory only.
mkdir -p /etc/systemd/journald.conf.d
printf '[Journal]\nStorage=volatile\n' >/etc/systemd/journald.conf.d/lab.conf
# The archives and lists of the build (the guest has no network).
apt-get clean
rm -f /var/lib/apt/lists/*_Packages
