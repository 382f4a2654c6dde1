# /etc/profile of the ROOT=disk image (scripts/make-rootdisk.sh; replaces tools/Initramfs' own).
# With the word rootdisk_check on the kernel command line (RootDiskTests), the first login
# shell reports what / is and powers off.
export PATH=/bin:/sbin:/usr/bin:/usr/sbin
PS1='microxen:\w\$ '
if grep -qw rootdisk_check /proc/cmdline; then
    echo "ROOTDISK shell on $(cat /etc/microxen-root)"
    grep ' / ' /proc/mounts | sed 's/^/ROOTDISK mount /'
    echo "ROOTDISK end"
    poweroff -f
fi
