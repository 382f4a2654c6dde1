namespace KernelTest.Tests
{
    /// <summary>
    /// "skip=NAME[,NAME...]" on kernel-test's command line: the runner does not run those tests
    /// and reports each as "FAIL NAME: skipped (skip= on the command line)", counted as failed.
    /// For rows known to hang a host (kernel-test/smp-microxen-pending.txt, reason "hangs: ..."):
    /// the rest of the run still reports. QEMU's -initrd needs the commas doubled.
    /// </summary>
    public static unsafe class SkipOption
    {
        /// <summary>True when <paramref name="name"/> is one of skip='s names.</summary>
        public static bool Listed(string name)
        {
            sbyte* c = Mm.Start->CmdLine;
            int i = 0;
            while (i < StartInfo.MaxGuestCmdline && c[i] != 0)
            {
                while (i < StartInfo.MaxGuestCmdline && c[i] == ' ') i++;
                int start = i;
                while (i < StartInfo.MaxGuestCmdline && c[i] != 0 && c[i] != ' ') i++;
                if (i - start > 5 && c[start] == 's' && c[start + 1] == 'k' && c[start + 2] == 'i' && c[start + 3] == 'p' && c[start + 4] == '='
                    && InList(c + start + 5, i - start - 5, name))
                    return true;
            }
            return false;
        }

        /// <summary>True when the comma-separated list at <paramref name="list"/> (<paramref name="length"/> bytes) holds <paramref name="name"/>.</summary>
        static bool InList(sbyte* list, int length, string name)
        {
            int k = 0;
            while (k < length)
            {
                int start = k;
                while (k < length && list[k] != ',') k++;
                if (k - start == name.Length)
                {
                    int j = 0;
                    while (j < name.Length && list[start + j] == (sbyte)name[j]) j++;
                    if (j == name.Length) return true;
                }
                k++;
            }
            return false;
        }

        /// <summary>Prints the FAIL line of a skipped test.</summary>
        public static void Report(string name)
        {
            Out.Str("FAIL "); Out.Str(name); Out.Str(": skipped (skip= on the command line)"); Out.End();
        }
    }
}
