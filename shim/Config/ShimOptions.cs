namespace Microxen.Config
{
    /// <summary>How hypercalls are served: see DESIGN.md section 1.</summary>
    public enum ShimMode { Fast = 0, Checked = 1 }

    /// <summary>
    /// Which L4 a guest user process runs on. Shared: the kernel's table, which holds the user
    /// mappings too (supervisor-only kernel pages protect the kernel, but not against
    /// Meltdown-style speculation). Switch: the table of MMUEXT_NEW_USER_BASEPTR, as Xen does
    /// (toggle_guest_mode), at the cost of a CR3 write on every entry and exit.
    /// </summary>
    public enum UserPageTable { Shared = 0, Switch = 1 }

    /// <summary>
    /// dom0=auto|yes|no: what kind of domain the kernel gets. Auto (default) follows Xen: a kernel
    /// whose notes lack XENFEAT_dom0 cannot be dom0, so it gets a domU's start_info (console ring,
    /// xenstore); yes builds dom0 whatever the notes say; no always builds a domU.
    /// </summary>
    public enum Dom0Choice { Auto = 0, Yes = 1, No = 2 }

    /// <summary>
    /// on_exit=stop|reboot: how a run ends. Stop (default): power off on success, else the exit
    /// code (QEMU's isa-debug-exit) and halt. Reboot: the exit code line, then a reset, so that a
    /// boot loader can run the next test (make certify-iso's sequence on hardware).
    /// </summary>
    public enum OnExit { Stop = 0, Reboot = 1 }

    /// <summary>Problems with the shim's command line.</summary>
    public enum OptionError { None = 0, UnknownOption, BadMode, BadLogLevel, BadNumber, BadUserPageTable, BadInline, BadDom0, BadOnExit, BadMaxVcpus }

    /// <summary>
    /// The shim's own command line (the multiboot command line of the microxen image):
    /// space-separated <c>key=value</c> words. <c>mode=fast|checked</c> (default fast);
    /// <c>loglevel=error|warn|info|debug</c> (default info); <c>dom0_mem=N</c> guest memory in
    /// MiB (default: all free RAM); <c>user_pt=shared|switch</c> (default shared, see
    /// <see cref="UserPageTable"/>); <c>inline=on|off</c> (default on: fast mode's native
    /// hypercall paths); <c>dom0=auto|yes|no</c> (default auto, see <see cref="Dom0Choice"/>);
    /// <c>on_exit=stop|reboot</c> (default stop, see <see cref="OnExit"/>).
    /// Unknown words are an error, never ignored.
    /// </summary>
    public unsafe struct ShimOptions
    {
        public ShimMode Mode;
        /// <summary>0 error, 1 warn, 2 info, 3 debug (Microxen.Console.LogLevel).</summary>
        public int LogLevel;
        /// <summary>Guest memory in MiB; 0 = all free RAM.</summary>
        public ulong Dom0MemMiB;
        public UserPageTable UserPt;
        /// <summary>inline=on|off: fast mode's native hypercall paths (default on); off sends every hypercall to the C# dispatcher.</summary>
        public bool Inline;
        /// <summary>dom0=auto|yes|no (<see cref="Dom0Choice"/>).</summary>
        public Dom0Choice Dom0;
        /// <summary>on_exit=stop|reboot (<see cref="Config.OnExit"/>).</summary>
        public OnExit OnExit;
        /// <summary>
        /// dom0_max_vcpus=N or MIN-MAX (Xen's command-line option, xen/arch/x86/dom0_build.c):
        /// at most this many vCPUs for dom0 (the upper bound; 0 = one per CPU, Xen's default).
        /// vCPU n runs on CPU n, so it is also capped at the CPU count.
        /// </summary>
        public uint Dom0MaxVcpus;
        /// <summary>Where the first bad word starts (for the error message), else null.</summary>
        public byte* BadWord;

        public static OptionError Parse(byte* s, out ShimOptions o)
        {
            o.Mode = ShimMode.Fast;
            o.LogLevel = 2;
            o.Dom0MemMiB = 0;
            o.UserPt = UserPageTable.Shared;
            o.Inline = true;
            o.Dom0 = Dom0Choice.Auto;
            o.OnExit = OnExit.Stop;
            o.Dom0MaxVcpus = 0;
            o.BadWord = null;
            while (*s != 0)
            {
                while (*s == (byte)' ' || *s == (byte)'\t') s++;
                if (*s == 0) break;
                byte* word = s;
                while (*s != 0 && *s != (byte)' ' && *s != (byte)'\t') s++;
                int len = (int)(s - word);
                OptionError e = ParseWord(word, len, ref o);
                if (e != OptionError.None) { o.BadWord = word; return e; }
            }
            return OptionError.None;
        }

        static OptionError ParseWord(byte* w, int len, ref ShimOptions o)
        {
            if (Is(w, len, "mode=fast")) { o.Mode = ShimMode.Fast; return OptionError.None; }
            if (Is(w, len, "mode=checked")) { o.Mode = ShimMode.Checked; return OptionError.None; }
            if (Prefix(w, len, "mode=")) return OptionError.BadMode;
            if (Is(w, len, "loglevel=error")) { o.LogLevel = 0; return OptionError.None; }
            if (Is(w, len, "loglevel=warn")) { o.LogLevel = 1; return OptionError.None; }
            if (Is(w, len, "loglevel=info")) { o.LogLevel = 2; return OptionError.None; }
            if (Is(w, len, "loglevel=debug")) { o.LogLevel = 3; return OptionError.None; }
            if (Prefix(w, len, "loglevel=")) return OptionError.BadLogLevel;
            if (Is(w, len, "inline=on")) { o.Inline = true; return OptionError.None; }
            if (Is(w, len, "inline=off")) { o.Inline = false; return OptionError.None; }
            if (Prefix(w, len, "inline=")) return OptionError.BadInline;
            if (Is(w, len, "dom0=auto")) { o.Dom0 = Dom0Choice.Auto; return OptionError.None; }
            if (Is(w, len, "dom0=yes")) { o.Dom0 = Dom0Choice.Yes; return OptionError.None; }
            if (Is(w, len, "dom0=no")) { o.Dom0 = Dom0Choice.No; return OptionError.None; }
            if (Prefix(w, len, "dom0=")) return OptionError.BadDom0;
            if (Is(w, len, "on_exit=stop")) { o.OnExit = OnExit.Stop; return OptionError.None; }
            if (Is(w, len, "on_exit=reboot")) { o.OnExit = OnExit.Reboot; return OptionError.None; }
            if (Prefix(w, len, "on_exit=")) return OptionError.BadOnExit;
            if (Is(w, len, "user_pt=shared")) { o.UserPt = UserPageTable.Shared; return OptionError.None; }
            if (Is(w, len, "user_pt=switch")) { o.UserPt = UserPageTable.Switch; return OptionError.None; }
            if (Prefix(w, len, "user_pt=")) return OptionError.BadUserPageTable;
            if (Prefix(w, len, "dom0_max_vcpus=")) return ParseMaxVcpus(w + 15, len - 15, ref o);
            if (Prefix(w, len, "dom0_mem="))
            {
                ulong v = 0;
                int i = 9;
                if (i == len) return OptionError.BadNumber;
                for (; i < len; i++)
                {
                    byte c = w[i];
                    if (c < (byte)'0' || c > (byte)'9' || v > 100000000) return OptionError.BadNumber;
                    v = v * 10 + (ulong)(c - (byte)'0');
                }
                o.Dom0MemMiB = v;
                return OptionError.None;
            }
            return OptionError.UnknownOption;
        }

        /// <summary>N or MIN-MAX, 1..<see cref="MaxVcpus"/>; the upper bound is kept.</summary>
        static OptionError ParseMaxVcpus(byte* w, int len, ref ShimOptions o)
        {
            uint v = 0;
            int digits = 0;
            for (int i = 0; i < len; i++)
            {
                byte c = w[i];
                if (c == (byte)'-' && digits > 0 && i + 1 < len) { v = 0; digits = 0; continue; }
                if (c < (byte)'0' || c > (byte)'9' || v > MaxVcpus) return OptionError.BadMaxVcpus;
                v = v * 10 + (uint)(c - (byte)'0');
                digits++;
            }
            if (digits == 0 || v == 0 || v > MaxVcpus) return OptionError.BadMaxVcpus;
            o.Dom0MaxVcpus = v;
            return OptionError.None;
        }

        /// <summary>The most vCPUs dom0_max_vcpus= accepts: the size of the MADT's CPU table (Acpi.MadtInfo.MaxCpus; ShimOptionsTests checks they agree; the option parser is also compiled without shim/Acpi, by tools/Fuzz).</summary>
        public const uint MaxVcpus = 256;

        static bool Is(byte* w, int len, string s) => len == s.Length && Prefix(w, len, s);

        static bool Prefix(byte* w, int len, string s)
        {
            if (len < s.Length) return false;
            for (int i = 0; i < s.Length; i++) if (w[i] != (byte)s[i]) return false;
            return true;
        }

        public static string Describe(OptionError e)
        {
            switch (e)
            {
                case OptionError.UnknownOption: return "unknown option (known: mode=fast|checked loglevel=error|warn|info|debug dom0_mem=MiB user_pt=shared|switch inline=on|off dom0=auto|yes|no on_exit=stop|reboot dom0_max_vcpus=N)";
                case OptionError.BadMaxVcpus: return "dom0_max_vcpus takes N or MIN-MAX, 1 to 256";
                case OptionError.BadInline: return "inline must be on or off";
                case OptionError.BadDom0: return "dom0 must be auto, yes or no";
                case OptionError.BadOnExit: return "on_exit must be stop or reboot";
                case OptionError.BadUserPageTable: return "user_pt must be shared or switch";
                case OptionError.BadMode: return "mode must be fast or checked";
                case OptionError.BadLogLevel: return "loglevel must be error, warn, info or debug";
                case OptionError.BadNumber: return "dom0_mem takes a whole number of MiB";
                default: return "no error";
            }
        }
    }
}
