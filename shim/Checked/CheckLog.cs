using Microxen.Console;

namespace Microxen.Checked
{
    /// <summary>
    /// Checked mode's refusal log: the first time a Xen check refuses a request at a given site,
    /// one line names the check, as Xen's gdprintk does ("mod_l1_entry: bad L1 flags 0x..."); later
    /// refusals at the same site are counted, not printed, so a guest cannot flood the console.
    /// A site is the string literal naming the check (its address identifies it).
    /// </summary>
    public static unsafe class CheckLog
    {
        /// <summary>Distinct sites remembered; refusals at sites beyond these are counted only.</summary>
        public const int MaxSites = 256;
        struct Sites { public fixed ulong Key[MaxSites]; public fixed ulong Count[MaxSites]; }
        static Sites s_sites;
        /// <summary>Refusals in all (every site, printed or not).</summary>
        public static ulong Refusals;

        /// <summary>Records a refusal at <paramref name="site"/> ("function: what") of <paramref name="value"/>; prints it the first time.</summary>
        public static void Refuse(string site, ulong value)
        {
            Refusals++;
            ulong key;
            fixed (char* c = &site.GetPinnableReference()) key = (ulong)c;
            fixed (Sites* s = &s_sites)
            {
                for (int i = 0; i < MaxSites; i++)
                {
                    if (s->Key[i] == key) { s->Count[i]++; return; }
                    if (s->Key[i] != 0) continue;
                    s->Key[i] = key;
                    s->Count[i] = 1;
                    break;
                }
            }
            if (!Log.On(LogLevel.Warn)) return;
            Log.Begin(); Log.Str("checked: "); Log.Str(site); Log.Str(" "); Log.Hex(value); Log.End();
        }
    }
}
