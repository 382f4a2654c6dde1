# microxen: entry points. `make run` boots Debian's kernel on microxen in QEMU; `make test`
# runs the host tests and the QEMU integration tests. Both install what they need.

ILC_VERSION := 10.0.10
NUGET_ROOT  ?= $(HOME)/.nuget/packages
ILC         := $(NUGET_ROOT)/runtime.linux-x64.microsoft.dotnet.ilcompiler/$(ILC_VERSION)/tools/ilc
BUILD       := build

# What `make run` boots, and how.
KERNEL    ?= $(BUILD)/debian/vmlinux
INITRD    ?= $(BUILD)/initramfs.cpio
CMDLINE   ?= console=hvc0 earlyprintk=xen
SHIM_ARGS ?= mode=fast loglevel=info
MEM       ?= 1G
QEMU      ?= qemu-system-x86_64

SHIM_SOURCES := $(shell find shim -name '*.cs') Shim.csproj
GEN_SOURCES  := $(shell find tools/AsmGen -name '*.cs' -o -name '*.csproj' | grep -v '/obj/\|/bin/')

.PHONY: all deps build run test kernel initramfs clean

all: build

# System packages: QEMU, Xen's public headers (ABI tests), binutils, xz (bzImage payload).
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
	$(ILC) $< -o $@ --systemmodule:Shim --targetos:linux --targetarch:x64 -O --nativelib --directpinvoke:*

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

# The default initramfs: Debian's busybox-static, busybox init, a shell on the console.
initramfs:
	dotnet run --project tools/Initramfs -v q -- --out $(BUILD)/initramfs.cpio

run: deps build $(if $(filter $(BUILD)/debian/vmlinux,$(KERNEL)),kernel) $(if $(filter $(BUILD)/initramfs.cpio,$(INITRD)),initramfs)
	scripts/run-qemu.sh $(BUILD)/microxen.bin "$(KERNEL)" "$(CMDLINE)" "$(SHIM_ARGS)" "$(MEM)" "$(INITRD)"

test: deps build kernel
	dotnet test tests/Microxen.Tests --nologo

clean:
	rm -rf $(BUILD) bin obj tools/*/bin tools/*/obj tests/*/bin tests/*/obj
