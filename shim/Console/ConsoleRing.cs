namespace Microxen.Console
{
    /// <summary>
    /// The backend side of a domU's console ring (public/io/console.h, struct xencons_interface):
    /// what xenconsoled does for a PV guest under Xen. Output: the bytes between out_cons and
    /// out_prod, taken in order (out_cons advanced); input: bytes put between in_prod and
    /// in_cons + InSize (in_prod advanced). The caller moves the bytes to and from COM1 and
    /// notifies the guest through the console event channel.
    /// </summary>
    public static unsafe class ConsoleRing
    {
        /// <summary>
        /// Copies up to <paramref name="max"/> bytes of the guest's output to <paramref name="dst"/>
        /// and frees them in the ring. Returns how many. A producer index more than a ring ahead of
        /// the consumer (a corrupt ring) is taken as a full ring, as xenconsoled clamps it.
        /// </summary>
        public static int TakeOutput(XenconsInterface* intf, byte* dst, int max)
        {
            uint cons = intf->OutCons, prod = intf->OutProd;
            uint avail = prod - cons;
            if (avail > XenconsInterface.OutSize) { cons = prod - XenconsInterface.OutSize; avail = XenconsInterface.OutSize; }
            int n = 0;
            while (n < max && n < (int)avail)
            {
                dst[n] = intf->Out[(cons + (uint)n) & (XenconsInterface.OutSize - 1)];
                n++;
            }
            intf->OutCons = cons + (uint)n;
            return n;
        }

        /// <summary>Bytes of output waiting in the ring.</summary>
        public static uint OutputPending(XenconsInterface* intf) => intf->OutProd - intf->OutCons;

        /// <summary>
        /// Puts up to <paramref name="count"/> bytes of <paramref name="src"/> into the input ring,
        /// as many as there is room for. Returns how many.
        /// </summary>
        public static int PutInput(XenconsInterface* intf, byte* src, int count)
        {
            uint prod = intf->InProd;
            uint used = prod - intf->InCons;
            if (used >= XenconsInterface.InSize) return 0;
            int room = XenconsInterface.InSize - (int)used;
            int n = 0;
            while (n < count && n < room)
            {
                intf->In[(prod + (uint)n) & (XenconsInterface.InSize - 1)] = src[n];
                n++;
            }
            intf->InProd = prod + (uint)n;
            return n;
        }

        /// <summary>Room left in the input ring.</summary>
        public static int InputRoom(XenconsInterface* intf)
        {
            uint used = intf->InProd - intf->InCons;
            return used >= XenconsInterface.InSize ? 0 : XenconsInterface.InSize - (int)used;
        }
    }
}
