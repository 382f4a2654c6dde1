namespace Microxen.Domain
{
    /// <summary>Fills the start_info page of the initial domain as Xen's dom0_construct_pv() does.</summary>
    public static unsafe class StartInfoWriter
    {
        /// <summary>
        /// Writes start_info at <paramref name="page"/> (a zeroed 4 KiB page). The magic is Xen's
        /// for dom0: "xen-3.0-x86_64", with "p" appended when the kernel's PAE_MODE note is set
        /// (Xen's dom0 builder appends it whenever parms.pae is non-zero; Linux says "yes").
        /// </summary>
        public static BuildError Write(byte* page, in DomainBuildInput input, in DomainLayout lay,
            ulong nrP2mFrames)
        {
            if (input.CmdLineLength > StartInfo.MaxGuestCmdline - 1) return BuildError.CommandLineTooLong;
            if (input.CmdLineLength != 0 && input.CmdLine == null) return BuildError.MissingInput;
            if (input.VgaInfoSize > DomainLayout.VgaConsoleInfoSize) return BuildError.BadConsoleInfo;
            for (int i = 0; i < 4096; i++) page[i] = 0;
            StartInfo* si = (StartInfo*)page;

            string magic = "xen-3.0-x86_64";
            for (int i = 0; i < magic.Length; i++) si->Magic[i] = (byte)magic[i];
            if (input.Parms.PaeYes) si->Magic[magic.Length] = (byte)'p';

            si->NrPages = lay.NrPages;
            si->SharedInfo = input.SharedInfoMa;
            si->Flags = StartInfoFlags.Privileged | StartInfoFlags.InitDomain | StartInfoFlags.Dom0PmBits;
            if (!lay.InitrdMapped && lay.InitrdLength != 0) si->Flags |= StartInfoFlags.ModStartPfn;
            si->StoreMfn = 0;
            si->StoreEvtchn = 0;
            si->PtBase = lay.VPtStart;
            si->NrPtFrames = lay.NrPtPages;
            si->MfnList = lay.VPhysmapStart;
            if (lay.InitrdLength != 0)
            {
                si->ModStart = lay.InitrdMapped ? lay.VInitrdStart : lay.InitrdPfn;
                si->ModLen = lay.InitrdLength;
            }
            for (ulong i = 0; i < input.CmdLineLength; i++)
            {
                byte c = input.CmdLine[i];
                if (c == 0) break;                     // strlcpy stops at the terminator
                si->CmdLine[i] = (sbyte)c;
            }
            si->FirstP2mPfn = lay.FirstP2mPfn;
            si->NrP2mFrames = nrP2mFrames;

            if (input.VgaInfo != null && input.VgaInfoSize != 0)
            {
                byte* dst = page + DomainLayout.StartInfoSize;
                for (uint i = 0; i < input.VgaInfoSize; i++) dst[i] = input.VgaInfo[i];
                si->ConsoleDom0InfoOff = (uint)DomainLayout.StartInfoSize;
                si->ConsoleDom0InfoSize = input.VgaInfoSize;
            }
            return BuildError.Ok;
        }
    }
}
