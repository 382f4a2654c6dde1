# microxen: entry points. `make run` boots Debian's kernel on microxen in QEMU; `make test`
# runs the host tests and the QEMU integration tests. Both install what they need.

ILC_VERSION := 10.0.10
NUGET_ROOT  ?= $(HOME)/.nuget/packages
ILC         := $(NUGET_ROOT)/runtime.linux-x64.microsoft.dotnet.ilcompiler/$(ILC_VERSION)/tools/ilc
# x86-64-v2 (SSE4.2, no AVX): the entry stubs save the guest's FPU/SSE state with fxsave, which
# does not cover AVX registers, so the shim's code must never use VEX encodings.
ILC_FLAGS   := --targetos:linux --targetarch:x64 -O --nativelib --directpinvoke:* --instruction-set:x86-64-v2
BUILD       := build

# What `make run` boots, and how. KERNEL=kernel-test names the project's own test kernel.
KERNEL    ?= $(BUILD)/debian/vmlinux
INITRD    ?= $(if $(filter kernel-test $(BUILD)/kernel-test.elf,$(KERNEL)),,$(BUILD)/initramfs.cpio)
KERNEL_GIVEN := $(filter command line environment,$(origin KERNEL))
override KERNEL := $(if $(filter kernel-test,$(KERNEL)),$(BUILD)/kernel-test.elf,$(KERNEL))
CMDLINE   ?= console=hvc0 earlyprintk=xen
SHIM_ARGS ?= mode=fast loglevel=info
MEM       ?= 1G
SMP       ?= 1
QEMU      ?= qemu-system-x86_64

SHIM_SOURCES := $(shell find shim -name '*.cs') Shim.csproj
GEN_SOURCES  := shim/Smp/ApBootData.cs shim/Arch/PvState.cs shim/Arch/Tss.cs shim/Arch/FaultFixup.cs shim/Arch/CpuFrame.cs shim/Arch/NativeSymbols.cs shim/Arch/X86.cs shim/Hypercalls/HypercallTable.cs $(shell find shim/Xen -name '*.cs') $(shell find shim -name '*.asm.cs') $(shell find tools/AsmGen -name '*.cs' -o -name '*.csproj' | grep -v '/obj/\|/bin/')
KT_SOURCES   := shim/Arch/CpuFrame.cs shim/Arch/X86.cs shim/Hypercalls/HypercallTable.cs shim/Traps/CpuidPvMask.g.cs shim/Traps/CpuidPolicy.Limits.cs $(shell find kernel-test shim/Runtime shim/Xen -name '*.cs' -o -name '*.csproj' | grep -v '/obj/\|/bin/')
KT_GEN_SOURCES := $(shell find tools/KernelTestGen -name '*.cs' -o -name '*.csproj' | grep -v '/obj/\|/bin/') tools/AsmGen/GasWriter.cs tools/AsmGen/AsmOffsets.cs shim/Arch/CpuFrame.cs shim/Arch/X86.cs kernel-test/Arch/ProbeState.cs kernel-test/Arch/EntryVectors.cs kernel-test/Arch/KtSymbols.cs $(shell find shim/Xen -name '*.cs')

.PHONY: all deps build run run-xen test kernel cloud-kernel initramfs kernel-test iso bench clean certify certify-iso smoke-initramfs ab ab-iso

all: build

# System packages: QEMU, Xen's public headers (ABI tests), binutils, the bzImage payload decompressors.
deps: $(BUILD)/.deps
$(BUILD)/.deps: scripts/install-deps.sh
	@mkdir -p $(BUILD)
	scripts/install-deps.sh
	@touch $@

build: $(BUILD)/microxen.bin

# 1. csc: shim/**/*.cs -> Shim.dll against shim/Runtime (restores the pinned ilc package).
$(BUILD)/shim/Shim.dll: $(SHIM_SOURCES)
	dotnet build Shim.csproj -c Release -o $(BUILD)/shim --nologo -v quiet

# 2. ilc: Shim.dll -> a freestanding x86-64 object.
$(BUILD)/shim.o: $(BUILD)/shim/Shim.dll
	$(ILC) $< -o $@ --systemmodule:Shim $(ILC_FLAGS)

# 3. Iced: the native blob (boot headers, trampoline, CPU primitives, entry stubs).
$(BUILD)/stubs.s: $(GEN_SOURCES)
	@mkdir -p $(BUILD)
	dotnet run --project tools/AsmGen -c Release -- $@

$(BUILD)/stubs.o: $(BUILD)/stubs.s
	as --64 -o $@ $<

# 4. ld + objcopy: the ELF (symbols for gdb) and the flat multiboot image.
$(BUILD)/microxen.elf: $(BUILD)/stubs.o $(BUILD)/shim.o linker.ld
	ld -T linker.ld -nostdlib -static --no-warn-rwx-segments -o $@ $(BUILD)/stubs.o $(BUILD)/shim.o

$(BUILD)/microxen.bin: $(BUILD)/microxen.elf
	objcopy -O binary --set-section-flags .bss=alloc,load,contents $< $@
	@echo "microxen image: $@ ($$(stat -c %s $@) bytes)"

# Debian's stock kernel (linux-image-amd64 as the archive serves it today), as an ELF.
kernel: $(BUILD)/debian/vmlinux
$(BUILD)/debian/vmlinux: tools/fetch-kernel.sh
	tools/fetch-kernel.sh $(BUILD)/debian

# Debian's cloud kernel (linux-image-cloud-amd64: XEN_PV without dom0 support, lz4 payload), as an ELF.
cloud-kernel: $(BUILD)/cloud/vmlinux
$(BUILD)/cloud/vmlinux: tools/fetch-kernel.sh | $(BUILD)/.deps
	tools/fetch-kernel.sh $(BUILD)/cloud linux-image-cloud-amd64

# The default initramfs: Debian's busybox-static, busybox init, a shell on the console.
initramfs:
	dotnet run --project tools/Initramfs -v q -- --out $(BUILD)/initramfs.cpio

# kernel-test: the project's PV test kernel (kernel-test/), built like the shim: csc against
# shim/Runtime, ilc, the Iced blob of tools/KernelTestGen (Xen notes, transfer page, entry
# stubs), ld with kernel-test/kernel-test.ld.
kernel-test: $(BUILD)/kernel-test.elf $(BUILD)/kernel-test-low.elf

$(BUILD)/kernel-test/KernelTest.dll: $(KT_SOURCES)
	dotnet build kernel-test/KernelTest.csproj -c Release -o $(BUILD)/kernel-test --nologo -v quiet

$(BUILD)/kernel-test.o: $(BUILD)/kernel-test/KernelTest.dll
	$(ILC) $< -o $@ --systemmodule:KernelTest $(ILC_FLAGS)

$(BUILD)/kernel-test-stubs.s: $(KT_GEN_SOURCES)
	@mkdir -p $(BUILD)
	dotnet run --project tools/KernelTestGen -c Release -- $@

$(BUILD)/kernel-test-stubs.o: $(BUILD)/kernel-test-stubs.s
	as --64 -o $@ $<

$(BUILD)/kernel-test.elf: $(BUILD)/kernel-test-stubs.o $(BUILD)/kernel-test.o kernel-test/kernel-test.ld
	ld -T kernel-test/kernel-test.ld -nostdlib -static --no-warn-rwx-segments -o $@ $(BUILD)/kernel-test-stubs.o $(BUILD)/kernel-test.o
	@echo "kernel-test image: $@ ($$(stat -c %s $@) bytes)"

# The same kernel-test linked at 1 MiB (VIRT_BASE 0), with the notes of a low-linked kernel
# (.note.Xen.low of the stubs, renamed .note.Xen): Xen's libelf defaults the rest.
$(BUILD)/kernel-test-low-stubs.o: $(BUILD)/kernel-test-stubs.o
	objcopy --remove-section .note.Xen --rename-section .note.Xen.low=.note.Xen $< $@

$(BUILD)/kernel-test-low.elf: $(BUILD)/kernel-test-low-stubs.o $(BUILD)/kernel-test.o kernel-test/kernel-test.ld
	ld --defsym KT_LOW_LINKED=1 -T kernel-test/kernel-test.ld -nostdlib -static --no-warn-rwx-segments -o $@ $(BUILD)/kernel-test-low-stubs.o $(BUILD)/kernel-test.o
	@echo "kernel-test image: $@ ($$(stat -c %s $@) bytes)"

run: deps build $(if $(filter $(BUILD)/debian/vmlinux $(BUILD)/debian/boot/%,$(KERNEL)),kernel) $(if $(filter $(BUILD)/cloud/vmlinux $(BUILD)/cloud/boot/%,$(KERNEL)),cloud-kernel) $(if $(filter $(BUILD)/initramfs.cpio,$(INITRD)),initramfs) $(if $(filter $(BUILD)/kernel-test.elf,$(KERNEL)),kernel-test)
	SMP=$(SMP) scripts/run-qemu.sh $(BUILD)/microxen.bin "$(KERNEL)" "$(CMDLINE)" "$(strip $(DOMU_ARG) $(SHIM_ARGS))" "$(MEM)" "$(INITRD)"

# A Debian kernel built without CONFIG_XEN_DOM0 (its package's boot/config-* beside the vmlinux,
# or beside the vmlinuz bzImage, which the shim decompresses itself) runs as a domU: Linux 6.1
# puts XENFEAT_dom0 in its notes whatever its configuration,
# so the shim's own test (the notes, as Xen's) cannot tell. SHIM_ARGS=dom0=... overrides it.
DOMU_ARG = $(if $(shell grep -qs '^. CONFIG_XEN_DOM0 is not set' $(dir $(KERNEL))boot/config-* $(dir $(KERNEL))config-* && echo y),dom0=no)

# Boots KERNEL (default kernel-test) as dom0 of Debian's Xen 4.17 in QEMU: the reference run.
run-xen: $(if $(filter $(BUILD)/kernel-test.elf,$(XEN_KERNEL)),kernel-test)
	scripts/run-xen.sh "$(XEN_KERNEL)" "$(XEN_CMDLINE)"
XEN_KERNEL  = $(if $(KERNEL_GIVEN),$(KERNEL),$(BUILD)/kernel-test.elf)
XEN_CMDLINE = $(if $(filter command line,$(origin CMDLINE)),$(CMDLINE),)

test: deps build kernel cloud-kernel kernel-test
	dotnet test tests/Microxen.Tests --nologo --filter 'Category!=Disk'

# A GRUB 2 (multiboot2) CD image: microxen, Debian's kernel and the initramfs, for hardware or
# QEMU -cdrom. SHIM_ARGS and CMDLINE as for run.
iso: deps build kernel initramfs
	scripts/make-iso.sh $(BUILD)/microxen.iso $(BUILD)/microxen.bin $(BUILD)/debian/vmlinux $(BUILD)/initramfs.cpio "$(SHIM_ARGS)" "$(CMDLINE)"

# The smoke initramfs of the integration tests (tests/guest/smoke.c as /smoke, smoke-init.sh as /init).
smoke-initramfs: $(BUILD)/initramfs-smoke.cpio
$(BUILD)/initramfs-smoke.cpio: tests/guest/smoke.c tests/guest/smoke-init.sh tests/guest/build.sh
	tests/guest/build.sh
	dotnet run --project tools/Initramfs -v q -- --out $@ --init tests/guest/smoke-init.sh --add $(BUILD)/guest/smoke:/smoke

# Certification (README "Certification: make certify"): test kernels x Xen 4.17, microxen
# mode=checked and mode=fast under QEMU TCG, into build/certify/report.md and junit.xml; exits 1
# when checked mode differs from Xen. CERTIFY_KERNELS=DIR adds XTF-style kernels (X.cmdline
# beside an ELF X: its guest command line);
# CERTIFY_ONLY=kernel-test,... narrows the built-in kernels (kernel-test, kernel-test-low, fuzz,
# debian-smoke, none); CERTIFY_HOSTS=xen,checked,fast; CERTIFY_FUZZ=SEED,COUNT the fuzz kernel's
# storm (its groups: all but kernel-test/fuzz-groups-unlike-xen.txt); LOG=serial.log reads a
# console captured on hardware (make certify-iso) instead of running microxen in QEMU.
CERTIFY_ONLY  ?= kernel-test,kernel-test-low,fuzz,debian-smoke
CERTIFY_HOSTS ?= xen,checked,fast
CERTIFY_FUZZ  ?= 1,10000
CERTIFY_NEEDS  = $(if $(filter kernel-test% fuzz,$(subst $(comma), ,$(CERTIFY_ONLY))),kernel-test) \
                 $(if $(filter debian-smoke,$(subst $(comma), ,$(CERTIFY_ONLY))),kernel smoke-initramfs)
comma := ,
certify: deps build $(CERTIFY_NEEDS)
	dotnet run --project tools/Certify -c Release -v q -- --kernels $(CERTIFY_ONLY) --hosts $(CERTIFY_HOSTS) --fuzz $(CERTIFY_FUZZ) \
	    $(if $(CERTIFY_KERNELS),--certify-kernels $(CERTIFY_KERNELS)) $(if $(LOG),--log $(LOG))

# A GRUB image that runs the certification matrix on the machine (microxen checked and fast, one
# entry per test kernel each, all in sequence by default: README "Certification"); capture COM1
# and give it to `make certify LOG=serial.log`. CERTIFY_ONLY, CERTIFY_FUZZ and CERTIFY_KERNELS as for certify.
certify-iso: deps build $(CERTIFY_NEEDS)
	rm -rf $(BUILD)/certify/iso-root
	dotnet run --project tools/Certify -c Release -v q -- --iso-root $(BUILD)/certify/iso-root --kernels $(CERTIFY_ONLY) --fuzz $(CERTIFY_FUZZ) \
	    $(if $(CERTIFY_KERNELS),--certify-kernels $(CERTIFY_KERNELS))
	scripts/make-iso.sh --certify $(BUILD)/certify.iso $(BUILD)/certify/iso-root

# Benchmarks with printed figures (see README): boot time and in-guest costs, microxen vs native.
bench: deps build kernel
	scripts/bench-boot.sh 3
	scripts/bench-guest.sh 2
	ICOUNT=1 scripts/bench-guest.sh 1

# A/B comparison (README "A/B against native and Xen: make ab"): Debian's kernel with the workload
# initramfs (tests/guest/bench.c, xz) natively, on microxen fast and checked, and as Xen 4.17's
# dom0, -icount once and ROUNDS wall-clock rounds, each round ending with a device phase (disk and
# TCP throughput, scripts/devices-run.sh; AB_ARGS="--devices off" skips it), into build/ab/report.md,
# results.csv, ratios.svg.
# LOGS=dir builds the report from consoles captured on hardware (make ab-iso) instead;
# AB_PERCENT scales the workload's iteration counts; AB_ARGS passes more tools/Ab options.
ROUNDS ?= 3
AB_PERCENT ?= 100
ab: deps $(if $(LOGS),,build kernel)
	$(if $(LOGS),,scripts/ab-initramfs.sh)
	dotnet run --project tools/Ab -c Release -v q -- $(if $(LOGS),--logs $(LOGS),--rounds $(ROUNDS) --percent $(AB_PERCENT)) $(AB_ARGS)

# A GRUB image with the same workload as entries for native Linux, microxen fast and checked, and
# Xen 4.17: results on the serial console (COM1, 115200); capture it to a folder for make ab LOGS=.
ab-iso: deps build kernel
	scripts/ab-initramfs.sh
	scripts/make-iso.sh --ab $(BUILD)/ab.iso $(BUILD)/initramfs-ab.cpio

clean:
	rm -rf $(BUILD) bin obj tools/*/bin tools/*/obj tests/*/bin tests/*/obj

# Fuzzes the shim's parsers of untrusted input (tools/Fuzz: bzImage header, xz, gzip, lz4, ELF and
# Xen notes, the shim's command line) with AFL++ through SharpFuzz, FUZZ_SECONDS per target.
.PHONY: fuzz
FUZZ_SECONDS ?= 10
fuzz: deps
	scripts/fuzz.sh $(FUZZ_SECONDS) $(FUZZ_TARGETS)

# Devices (issue 10; README "Devices"). `make run ROOT=disk` (and `make run-xen ROOT=disk
# KERNEL=build/debian/vmlinux`): Debian's kernel with / on a virtio disk, an ext4 image of the
# busybox userland switched to from the initramfs (scripts/make-rootdisk.sh, rebuilt each time).
# `make test-devices`: the device test's full matrix (q35 and pc; Xen 4.17, microxen, native);
# `make bench-devices`: disk and TCP figures on microxen, Xen 4.17 and native (scripts/bench-devices.sh).
.PHONY: rootdisk test-devices bench-devices
rootdisk: deps kernel
	scripts/make-rootdisk.sh $(BUILD)/rootdisk
ifeq ($(ROOT),disk)
override INITRD := $(BUILD)/rootdisk/initramfs.cpio
export INITRD
export QEMU_EXTRA := -nic none -drive file=$(BUILD)/rootdisk/root.img,if=none,id=rootdisk,format=raw -device virtio-blk-pci,drive=rootdisk
run run-xen: rootdisk
endif
test-devices: deps build kernel
	DEVTEST_FULL=1 dotnet test tests/Microxen.Tests --nologo --filter 'FullyQualifiedName~DeviceTests|FullyQualifiedName~RootDiskTests'
bench-devices: deps build kernel
	scripts/bench-devices.sh

# Installing (README "Installing on a real machine"): the Debian package microxen (dpkg-deb,
# checked by lintian), a Debian bookworm disk image with GRUB for BIOS and UEFI, microxen, Xen 4.17
# and Debian's kernel installed (debootstrap from this machine's apt mirror; needs root; the
# debootstrap tree cached in build/disk-cache), and a boot of it: FIRMWARE=bios|uefi,
# ENTRY=microxen|xen|linux.
DEB_VERSION ?= 0.1.0
DEB         := $(BUILD)/deb/microxen_$(DEB_VERSION)_amd64.deb
FIRMWARE    ?= bios
ENTRY       ?= microxen
.PHONY: deb disk-image run-disk
deb: $(DEB)
$(DEB): $(BUILD)/microxen.bin packaging/build-deb.sh $(wildcard packaging/*/*)
	@[ -f $(BUILD)/.deps-lintian ] || { scripts/install-deps.sh lintian && touch $(BUILD)/.deps-lintian; }
	packaging/build-deb.sh $(BUILD)/deb $(BUILD)/microxen.bin $(DEB_VERSION)
	lintian --fail-on error $@
disk-image: $(BUILD)/debian-disk.img
$(BUILD)/debian-disk.img: $(DEB) scripts/make-disk-image.sh | $(BUILD)/.deps
	scripts/make-disk-image.sh $@ $(DEB) $(BUILD)/disk-cache
run-disk: $(BUILD)/debian-disk.img
	scripts/run-disk.sh $< $(FIRMWARE) $(ENTRY)
# The installed-system boots (DiskImageTests, Category=Disk: microxen BIOS and UEFI 2.5-4 min a row
# alone, 6-6.6 min in a loaded make test; the Xen 4.17 reference 7-15 min): over make test's budget.
.PHONY: test-disk
test-disk: deps build disk-image
	dotnet test tests/Microxen.Tests --nologo --filter 'FullyQualifiedName~DiskImageTests'
