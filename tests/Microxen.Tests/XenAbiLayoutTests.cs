using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using System.Runtime.CompilerServices;

namespace Microxen.Tests
{
    /// <summary>
    /// Checks the C# Xen ABI definitions in shim/Xen against Xen's public headers
    /// (/usr/include/xen, package libxen-dev): abi/layout.c is compiled with gcc at test time and
    /// prints sizeof/offsetof of every mapped field and the value of the mapped constants, under
    /// their C# names; each line is compared with the C# type via reflection and Marshal.
    /// </summary>
    public class XenAbiLayoutTests
    {
        /// <summary>C# structs in Microxen.Xen checked field by field (one theory row each).</summary>
        public static readonly string[] StructNames =
        {
            "StartInfo", "SharedInfo", "ArchSharedInfo", "VcpuInfo", "ArchVcpuInfo", "VcpuTimeInfo",
            "TrapInfo", "IretContext", "MmuUpdate", "MmuextOp", "MulticallEntry", "CallbackRegister", "CallbackUnregister",
            "XenMemoryMap", "XenMachphysMapping", "XenMemoryReservation", "XenMemoryExchange", "XenPlatformOp", "XenFeatureInfo",
            "XenPlatformParameters", "VcpuRegisterVcpuInfo", "VcpuRegisterRunstateMemoryArea",
            "VcpuRunstateInfo", "VcpuSetSingleshotTimer", "VcpuSetPeriodicTimer", "Dom0VgaConsoleInfo",
            "EvtchnBindVirq", "EvtchnBindIpi", "EvtchnSend", "EvtchnClose", "EvtchnUnmask",
            "EvtchnAllocUnbound", "EvtchnBindInterdomain", "EvtchnBindPirq", "EvtchnBindVcpu",
            "EvtchnStatus", "SchedShutdown", "SchedPoll", "SchedRemoteShutdown",
            "EvtchnInitControl", "EvtchnExpandArray", "EvtchnSetPriority", "EvtchnReset", "EvtchnFifoControlBlock",
            "GrantEntryV1", "GrantEntryV2", "GnttabSetupTable", "GnttabQuerySize", "GnttabSetVersion",
            "GnttabGetVersion", "GnttabGetStatusFrames", "GnttabMapGrantRef", "GnttabUnmapGrantRef",
            "GnttabCopyPtr", "GnttabCopy", "GnttabSwapGrantRef", "GnttabCacheFlush",
            "XenconsInterface", "XenstoreDomainInterface", "XsdSockmsg",   // domU console and xenstore
            "VcpuGuestContext",                                          // VCPUOP_initialise (SMP)
            "XenMc", "McinfoLogicalCpu",                                 // mca (do_mca)
        };

        /// <summary>C# types whose constants the C program prints (one theory row each).</summary>
        public static readonly string[] ConstantGroups =
        {
            "Hypercall", "XenErrno", "StartInfoFlags", "StartInfo", "XenFeature", "ElfNote", "MmuCmd",
            "MmuextCmd", "UvmFlags", "VmAssist", "ConsoleIoCmd", "XenVersionCmd", "XenMemOp", "XenMemOpArgs", "VcpuOp",
            "SchedOp", "CallbackType", "EvtchnOp", "SharedInfo", "EvtchnBindPirq", "EvtchnStatus",
            "Virq", "PhysdevOp", "Layout", "VcpuTimeInfo", "Dom0VgaConsoleInfo",
            "EvtchnFifoAbi", "GnttabOp", "Gtf", "GntMap", "Gntst",
            "XsType", "XenstoreDomainInterface",                           // domU xenstore
            "XenPlatformOp", "XenPlatformOpCmd",                          // platform_op (firmware info, EFI)
            "XenMca",                                                     // mca (do_mca)
        };

        public static IEnumerable<object[]> StructRows => StructNames.Select(n => new object[] { n });
        public static IEnumerable<object[]> ConstantRows => ConstantGroups.Select(n => new object[] { n });

        private static readonly Assembly ShimAssembly = typeof(StartInfo).Assembly;
        private static readonly Lazy<string[]> HeaderFacts = new Lazy<string[]>(RunLayoutProgram);

        [Theory]
        [MemberData(nameof(StructRows))]
        public void StructMatchesXenHeader(string structName)
        {
            Type t = XenType(structName);
            var failures = new List<string>();
            string[] lines = HeaderFacts.Value;

            string sizeLine = lines.FirstOrDefault(l => l.StartsWith("size " + structName + " ", StringComparison.Ordinal));
            Assert.True(sizeLine != null, $"{structName}: layout.c prints no size for it");
            long cSize = long.Parse(sizeLine.Split(' ')[2], CultureInfo.InvariantCulture);
            long marshalSize = Marshal.SizeOf(t);
            long managedSize = ManagedSizeOf(t);
            if (marshalSize != cSize)
                failures.Add($"{structName}: size is {marshalSize} (Marshal.SizeOf), Xen's is {cSize}");
            if (managedSize != cSize)
                failures.Add($"{structName}: size is {managedSize} (sizeof), Xen's is {cSize}");

            var mapped = new HashSet<string>();
            string prefix = "field " + structName + ".";
            foreach (string line in lines.Where(l => l.StartsWith(prefix, StringComparison.Ordinal)))
            {
                string[] parts = line.Split(' ');
                string fieldName = parts[1].Substring(structName.Length + 1);
                long cOffset = long.Parse(parts[2], CultureInfo.InvariantCulture);
                long cFieldSize = long.Parse(parts[3], CultureInfo.InvariantCulture);
                mapped.Add(fieldName);

                FieldInfo fi = t.GetField(fieldName, BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic);
                if (fi == null)
                {
                    failures.Add($"{structName}.{fieldName}: no such field in C# (Xen: offset {cOffset}, size {cFieldSize})");
                    continue;
                }
                long offset = Marshal.OffsetOf(t, fieldName).ToInt64();
                long declared = fi.GetCustomAttribute<FieldOffsetAttribute>()?.Value ?? -1;
                long fieldSize = Marshal.SizeOf(fi.FieldType);
                if (offset != cOffset)
                    failures.Add($"{structName}.{fieldName}: offset is {offset}, Xen's is {cOffset}");
                if (declared != offset)
                    failures.Add($"{structName}.{fieldName}: [FieldOffset({declared})] but Marshal.OffsetOf says {offset}");
                if (fieldSize != cFieldSize)
                    failures.Add($"{structName}.{fieldName}: size is {fieldSize}, Xen's is {cFieldSize}");
            }

            foreach (FieldInfo fi in t.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic))
                if (!mapped.Contains(fi.Name))
                    failures.Add($"{structName}.{fi.Name}: C# field not checked by layout.c (add it there)");

            Assert.True(failures.Count == 0, string.Join("\n", failures));
        }

        [Theory]
        [MemberData(nameof(ConstantRows))]
        public void ConstantsMatchXenHeader(string typeName)
        {
            Type t = XenType(typeName);
            var failures = new List<string>();
            string prefix = "const " + typeName + ".";
            int count = 0;
            foreach (string line in HeaderFacts.Value.Where(l => l.StartsWith(prefix, StringComparison.Ordinal)))
            {
                count++;
                string[] parts = line.Split(' ');
                string name = parts[1].Substring(typeName.Length + 1);
                ulong cValue = ulong.Parse(parts[2], CultureInfo.InvariantCulture);
                FieldInfo fi = t.GetField(name, BindingFlags.Public | BindingFlags.Static);
                if (fi == null || !fi.IsLiteral)
                {
                    failures.Add($"{typeName}.{name}: no such const in C# (Xen: 0x{cValue:x})");
                    continue;
                }
                ulong value = AsUInt64(fi.GetRawConstantValue());
                if (value != cValue)
                    failures.Add($"{typeName}.{name}: is 0x{value:x}, Xen's is 0x{cValue:x}");
            }
            Assert.True(count > 0, $"{typeName}: layout.c prints no constants for it");
            Assert.True(failures.Count == 0, string.Join("\n", failures));
        }

        [Fact]
        public void EveryGroupTheCProgramPrintsIsChecked()
        {
            var structs = HeaderFacts.Value.Where(l => l.StartsWith("size ", StringComparison.Ordinal))
                .Select(l => l.Split(' ')[1]).Distinct().ToList();
            var consts = HeaderFacts.Value.Where(l => l.StartsWith("const ", StringComparison.Ordinal))
                .Select(l => l.Split(' ')[1].Split('.')[0]).Distinct().ToList();
            Assert.Empty(structs.Except(StructNames));
            Assert.Empty(StructNames.Except(structs));
            Assert.Empty(consts.Except(ConstantGroups));
            Assert.Empty(ConstantGroups.Except(consts));
        }

        [Fact]
        public void EveryExplicitLayoutStructInXenNamespaceIsChecked()
        {
            var abiStructs = ShimAssembly.GetTypes()
                .Where(t => t.Namespace == "Microxen.Xen" && t.IsValueType && !t.IsEnum && !t.IsNested
                            && t.StructLayoutAttribute?.Value == LayoutKind.Explicit)
                .Select(t => t.Name).ToList();
            Assert.Empty(abiStructs.Except(StructNames));
        }

        [Fact]
        public void PageFlagsAreTheArchitecturalBits()
        {
            // Not in Xen's public headers: Intel SDM vol. 3, 4.5 (4-level paging entry format).
            Assert.Equal(1ul << 0, PageFlags.Present);
            Assert.Equal(1ul << 1, PageFlags.RW);
            Assert.Equal(1ul << 2, PageFlags.User);
            Assert.Equal(1ul << 3, PageFlags.PWT);
            Assert.Equal(1ul << 4, PageFlags.PCD);
            Assert.Equal(1ul << 5, PageFlags.Accessed);
            Assert.Equal(1ul << 6, PageFlags.Dirty);
            Assert.Equal(1ul << 7, PageFlags.PSE);
            Assert.Equal(1ul << 8, PageFlags.Global);
            Assert.Equal(1ul << 63, PageFlags.NX);
            ulong mask = 0;
            for (int bit = 12; bit < 52; bit++) mask |= 1ul << bit;
            Assert.Equal(PageFlags.PADDR_MASK, mask);
            Assert.Equal(PageFlags.PADDR_MASK_2M, mask & ~((1ul << 21) - 1));
            Assert.Equal(PageFlags.PADDR_MASK_1G, mask & ~((1ul << 30) - 1));
        }

        [Fact]
        public unsafe void SharedInfoVcpuHelperAddressesVcpuInfoSlots()
        {
            var si = new SharedInfo();
            SharedInfo* p = &si;
            Assert.Equal((long)p, (long)SharedInfo.Vcpu(p, 0));
            Assert.Equal((long)p + 31 * 64, (long)SharedInfo.Vcpu(p, 31));
            SharedInfo.Vcpu(p, 1)->EvtchnUpcallMask = 1;
            Assert.Equal(1, si.VcpuInfo[64 + 1]);
        }

        // ---- helpers ----

        private static Type XenType(string name)
        {
            Type t = ShimAssembly.GetType("Microxen.Xen." + name);
            Assert.True(t != null, $"Microxen.Xen.{name}: no such type");
            return t;
        }

        private static long ManagedSizeOf(Type t)
        {
            MethodInfo m = typeof(Unsafe).GetMethod(nameof(Unsafe.SizeOf))!.MakeGenericMethod(t);
            return (int)m.Invoke(null, null)!;
        }

        private static ulong AsUInt64(object v)
        {
            switch (v)
            {
                case ulong u: return u;
                case uint u: return u;
                case ushort u: return u;
                case byte u: return u;
                case char c: return c;
                default: return unchecked((ulong)Convert.ToInt64(v, CultureInfo.InvariantCulture));
            }
        }

        private static string LayoutSource([CallerFilePath] string thisFile = "")
        {
            string fromSource = Path.Combine(Path.GetDirectoryName(thisFile) ?? ".", "abi", "layout.c");
            if (File.Exists(fromSource)) return fromSource;
            string fromOutput = Path.Combine(AppContext.BaseDirectory, "abi", "layout.c");
            if (File.Exists(fromOutput)) return fromOutput;
            throw new FileNotFoundException("abi/layout.c not found (looked at " + fromSource + " and " + fromOutput + ")");
        }

        private static string[] RunLayoutProgram()
        {
            Assert.True(File.Exists("/usr/include/xen/xen.h"),
                "Xen public headers missing: install libxen-dev (/usr/include/xen/xen.h)");
            string dir = Path.Combine(Path.GetTempPath(), "microxen-abi-" + Environment.ProcessId + "-" + Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(dir);
            try
            {
                string exe = Path.Combine(dir, "layout");
                Run("gcc", new[] { "-std=gnu11", "-Wall", "-O0", "-o", exe, LayoutSource() }, out _);
                Run(exe, Array.Empty<string>(), out string stdout);
                return stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            }
            finally
            {
                try { Directory.Delete(dir, true); } catch (IOException) { }
            }
        }

        private static void Run(string file, string[] args, out string stdout)
        {
            var psi = new ProcessStartInfo(file)
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            foreach (string a in args) psi.ArgumentList.Add(a);
            using Process p = Process.Start(psi)!;
            var stderrTask = p.StandardError.ReadToEndAsync();
            stdout = p.StandardOutput.ReadToEnd();
            p.WaitForExit();
            string stderr = stderrTask.Result;
            Assert.True(p.ExitCode == 0, $"{file} {string.Join(' ', args)} failed ({p.ExitCode}):\n{stderr}");
        }
    }
}
