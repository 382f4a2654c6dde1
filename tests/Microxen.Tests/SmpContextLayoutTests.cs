using System.Diagnostics;
using KernelTest.Smp;

namespace Microxen.Tests
{
    /// <summary>
    /// kernel-test's <see cref="VcpuContext"/> (the VCPUOP_initialise argument) against
    /// struct vcpu_guest_context in /usr/include/xen (libxen-dev): a C program compiled with gcc
    /// prints sizeof and the offsetof of every field the C# struct maps.
    /// </summary>
    public class SmpContextLayoutTests
    {
        static readonly (string CSharp, string C)[] Fields =
        {
            ("Flags", "flags"), ("Rdi", "user_regs.rdi"), ("Rip", "user_regs.rip"), ("Cs", "user_regs.cs"),
            ("Rflags", "user_regs.rflags"), ("Rsp", "user_regs.rsp"), ("Ss", "user_regs.ss"), ("Es", "user_regs.es"),
            ("Ds", "user_regs.ds"), ("KernelSs", "kernel_ss"), ("KernelSp", "kernel_sp"), ("Cr3", "ctrlreg[3]"),
            ("EventCallbackEip", "event_callback_eip"), ("FailsafeCallbackEip", "failsafe_callback_eip"),
        };

        [Fact]
        public void VcpuContextMatchesXenHeaders()
        {
            Assert.True(File.Exists("/usr/include/xen/xen.h"), "Xen public headers missing: install libxen-dev");
            string dir = Directory.CreateTempSubdirectory("microxen-vgc-").FullName;
            try
            {
                string src = Path.Combine(dir, "vgc.c"), exe = Path.Combine(dir, "vgc");
                string body = string.Concat(Fields.Select(f =>
                    $"printf(\"{f.CSharp} %zu\\n\", offsetof(struct vcpu_guest_context, {f.C}));\n"));
                File.WriteAllText(src, "#include <stdio.h>\n#include <stddef.h>\n#include <stdint.h>\n#include <xen/xen.h>\n"
                    + "int main(void) {\nprintf(\"size %zu\\n\", sizeof(struct vcpu_guest_context));\n" + body + "return 0; }\n");
                Assert.Equal("", Run("gcc", "-std=gnu11", "-Wall", "-o", exe, src));
                var got = Run(exe).Split('\n', StringSplitOptions.RemoveEmptyEntries)
                    .Select(l => l.Split(' ')).ToDictionary(p => p[0], p => int.Parse(p[1]));
                Assert.Equal(got["size"], Marshal.SizeOf<VcpuContext>());
                foreach (var f in Fields)
                    Assert.True(got[f.CSharp] == (int)Marshal.OffsetOf<VcpuContext>(f.CSharp),
                        $"{f.CSharp}: C offset {got[f.CSharp]}, C# {Marshal.OffsetOf<VcpuContext>(f.CSharp)}");
            }
            finally { Directory.Delete(dir, true); }
        }

        static string Run(string file, params string[] args)
        {
            var psi = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (string a in args) psi.ArgumentList.Add(a);
            using Process p = Process.Start(psi)!;
            string stdout = p.StandardOutput.ReadToEnd(), stderr = p.StandardError.ReadToEnd();
            p.WaitForExit();
            Assert.True(p.ExitCode == 0, $"{file} failed: {stderr}");
            return stdout;
        }
    }
}
