namespace Microxen.XenStore
{
    /// <summary>
    /// A minimal xenstore for the one domU: enough that Linux's xenbus initialises without
    /// waiting (its watches on "device", "backend", "control/shutdown", "memory/target", "cpu"
    /// get their initial event, reads of absent nodes get "ENOENT", writes of control/feature-*
    /// succeed). One client, served through the ring page <see cref="XenstoreDomainInterface"/>
    /// (public/io/xs_wire.h) whenever the guest notifies the store's event channel.
    ///
    /// Semantics follow xenstored (docs/misc/xenstore.txt): paths not starting with '/' (or '@')
    /// are relative to /local/domain/&lt;domid&gt;; XS_WRITE and XS_MKDIR create missing parents;
    /// XS_RM removes the subtree and succeeds when only the node is missing; a watch fires for
    /// changes at or below its path (and, on XS_RM, for watches below the removed node), once at
    /// once when set, with the path in the form the watch was given; errors are XS_ERROR with the
    /// errno name ("ENOENT\0"). Not kept: permissions (XS_GET_PERMS answers "n&lt;owner&gt;":
    /// the domain for its own subtree, dom0 elsewhere; XS_SET_PERMS is accepted and dropped),
    /// transaction isolation (operations in a transaction apply at once; XS_TRANSACTION_END
    /// always succeeds), quotas. Privileged requests (XS_INTRODUCE, XS_RELEASE, XS_SET_TARGET,
    /// XS_RESUME, XS_IS_DOMAIN_INTRODUCED, XS_CONTROL) get "EACCES", unknown ones "EINVAL".
    /// Capacity: <see cref="MaxNodes"/> nodes of paths up to <see cref="PathMax"/> bytes and values
    /// up to <see cref="ValueMax"/> bytes ("ENOSPC" / "E2BIG" beyond), <see cref="MaxWatches"/> watches.
    /// </summary>
    public static unsafe partial class Xenstored
    {
        public const int MaxNodes = 160;
        public const int PathMax = 128;
        public const int ValueMax = 256;
        public const int MaxWatches = 32;
        public const int TokenMax = 64;
        const int HeaderSize = 16;
        const int OutSize = 16384;                 // replies waiting for room in the rsp ring
        const int InSize = HeaderSize + XenstoreDomainInterface.PayloadMax;

        struct Store
        {
            public fixed byte Path[MaxNodes * PathMax];
            public fixed ushort PathLen[MaxNodes];
            public fixed byte Value[MaxNodes * ValueMax];
            public fixed ushort ValueLen[MaxNodes];
            public fixed byte Used[MaxNodes];
            public fixed byte WPath[MaxWatches * PathMax];     // absolute (or "@...")
            public fixed ushort WPathLen[MaxWatches];
            public fixed byte WRelative[MaxWatches];           // given relative: events are too
            public fixed byte WToken[MaxWatches * TokenMax];
            public fixed ushort WTokenLen[MaxWatches];
            public fixed byte WUsed[MaxWatches];
            public fixed byte DomPath[PathMax];                // "/local/domain/<domid>"
            public fixed byte In[InSize];                      // the request being assembled
            public fixed byte Out[OutSize];                    // ring of replies not yet in rsp
            public fixed byte Scratch[XenstoreDomainInterface.PayloadMax];
        }
        static Store s_s;
        static int s_domPathLen, s_inLen;
        static uint s_outHead, s_outTail, s_nextTx;
        static uint s_domId;

        /// <summary>Requests answered and watch events sent since <see cref="Init"/>.</summary>
        public static ulong Requests, WatchEvents;

        /// <summary>The domain id the store serves (its home /local/domain/&lt;id&gt;).</summary>
        public static uint DomId => s_domId;

        /// <summary>Empties the store and creates "/", "/local", "/local/domain/&lt;domid&gt;" and its "domid" node.</summary>
        public static void Init(uint domid)
        {
            fixed (Store* s = &s_s)
            {
                for (int i = 0; i < MaxNodes; i++) s->Used[i] = 0;
                for (int i = 0; i < MaxWatches; i++) s->WUsed[i] = 0;
                s_domId = domid;
                int n = Copy(s->DomPath, 0, "/local/domain/");
                n += Dec(s->DomPath + n, domid);
                s_domPathLen = n;
                s_inLen = 0;
                s_outHead = s_outTail = 0;
                s_nextTx = 1;
                Requests = WatchEvents = 0;
                byte* root = stackalloc byte[1];
                root[0] = (byte)'/';
                Create(root, 1);
                byte* v = stackalloc byte[12];
                SetRel("domid", v, Dec(v, domid));
            }
        }

        /// <summary>Writes <paramref name="value"/> at <paramref name="relPath"/> below the domain's home (creating parents). False when full.</summary>
        public static bool SetRel(string relPath, byte* value, int valueLen)
        {
            byte* p = stackalloc byte[PathMax];
            int n = 0;
            fixed (Store* s = &s_s) for (; n < s_domPathLen; n++) p[n] = s->DomPath[n];
            p[n++] = (byte)'/';
            if (n + relPath.Length > PathMax) return false;
            n += Copy(p, n, relPath);
            int node = Create(p, n);
            if (node < 0 || valueLen > ValueMax) return false;
            SetValue(node, value, valueLen);
            return true;
        }

        /// <summary>As <see cref="SetRel(string, byte*, int)"/> with a text value.</summary>
        public static bool SetRel(string relPath, string value)
        {
            byte* v = stackalloc byte[ValueMax];
            if (value.Length > ValueMax) return false;
            return SetRel(relPath, v, Copy(v, 0, value));
        }

        /// <summary>As <see cref="SetRel(string, byte*, int)"/> with a decimal number.</summary>
        public static bool SetRel(string relPath, ulong number)
        {
            byte* v = stackalloc byte[24];
            return SetRel(relPath, v, Dec(v, number));
        }

        /// <summary>
        /// Serves the ring page: takes every complete request from req (advancing req_cons),
        /// answers it, and moves queued replies and watch events into rsp as far as they fit.
        /// True when either index moved (the caller then notifies the guest).
        /// </summary>
        public static bool Process(XenstoreDomainInterface* intf)
        {
            bool moved = false;
            for (;;)
            {
                uint avail = intf->ReqProd - intf->ReqCons;
                if (avail == 0) break;
                if (avail > XenstoreDomainInterface.RingSize) { intf->Error = 2; break; }   // XENSTORE_ERROR_RINGIDX
                int need = s_inLen < HeaderSize ? HeaderSize - s_inLen : HeaderSize + (int)((XsdSockmsg*)InPtr())->Len - s_inLen;
                int take = need < (int)avail ? need : (int)avail;
                byte* inBuf = InPtr();
                for (int i = 0; i < take; i++)
                    inBuf[s_inLen + i] = intf->Req[(intf->ReqCons + (uint)i) & (XenstoreDomainInterface.RingSize - 1)];
                intf->ReqCons += (uint)take;
                s_inLen += take;
                moved = true;
                if (s_inLen < HeaderSize) continue;
                XsdSockmsg* h = (XsdSockmsg*)inBuf;
                if (h->Len > XenstoreDomainInterface.PayloadMax)
                {
                    intf->Error = 3;                    // XENSTORE_ERROR_PROTO: xenstored drops such a client
                    intf->ReqCons = intf->ReqProd;
                    s_inLen = 0;
                    break;
                }
                if (s_inLen < HeaderSize + (int)h->Len) continue;
                Handle(h, inBuf + HeaderSize, (int)h->Len);
                s_inLen = 0;
            }
            if (Flush(intf)) moved = true;
            return moved;
        }

        /// <summary>Bytes of replies and events still waiting for room in the rsp ring.</summary>
        public static uint Pending => s_outHead - s_outTail;

        static byte* InPtr() { fixed (Store* s = &s_s) return s->In; }

        static bool Flush(XenstoreDomainInterface* intf)
        {
            bool moved = false;
            fixed (Store* s = &s_s)
                while (s_outTail != s_outHead)
                {
                    uint used = intf->RspProd - intf->RspCons;
                    if (used >= XenstoreDomainInterface.RingSize) break;
                    intf->Rsp[intf->RspProd & (XenstoreDomainInterface.RingSize - 1)] = s->Out[s_outTail % OutSize];
                    intf->RspProd++;
                    s_outTail++;
                    moved = true;
                }
            return moved;
        }

        // ---- requests ----

        static void Handle(XsdSockmsg* h, byte* body, int len)
        {
            Requests++;
            uint type = h->Type;
            byte* p = stackalloc byte[PathMax];
            if (NamesPath(type))
            {
                HandlePath(h, type, body, len, p);
                return;
            }
            switch (type)
            {
                case XsType.XS_RESET_WATCHES:
                    fixed (Store* s = &s_s) for (int i = 0; i < MaxWatches; i++) s->WUsed[i] = 0;
                    Ok(h);
                    return;
                case XsType.XS_TRANSACTION_START:
                {
                    byte* id = stackalloc byte[12];
                    int n = Dec(id, s_nextTx++);
                    id[n++] = 0;
                    Reply(h, type, id, n, null, 0);
                    return;
                }
                case XsType.XS_TRANSACTION_END:
                    Ok(h);
                    return;
                case XsType.XS_GET_DOMAIN_PATH:
                {
                    uint id = 0;
                    int i = 0;
                    for (; i < len && body[i] >= (byte)'0' && body[i] <= (byte)'9'; i++) id = id * 10 + (uint)(body[i] - (byte)'0');
                    if (i == 0 || i > 9) { Error(h, EINVAL); return; }
                    int n = Copy(p, 0, "/local/domain/");
                    n += Dec(p + n, id);
                    p[n++] = 0;
                    Reply(h, type, p, n, null, 0);
                    return;
                }
                case XsType.XS_CONTROL:
                case XsType.XS_INTRODUCE:
                case XsType.XS_RELEASE:
                case XsType.XS_IS_DOMAIN_INTRODUCED:
                case XsType.XS_RESUME:
                case XsType.XS_SET_TARGET:
                    Error(h, EACCES);
                    return;
                default:
                    Error(h, EINVAL);
                    return;
            }
        }

        /// <summary>The requests whose payload begins with a path (<see cref="HandlePath"/>).</summary>
        static bool NamesPath(uint type) =>
            type == XsType.XS_READ || type == XsType.XS_WRITE || type == XsType.XS_MKDIR || type == XsType.XS_RM
            || type == XsType.XS_DIRECTORY || type == XsType.XS_GET_PERMS || type == XsType.XS_SET_PERMS
            || type == XsType.XS_WATCH || type == XsType.XS_UNWATCH;

        /// <summary>
        /// A request that names a path: the path resolved into <paramref name="p"/> first (a relative
        /// one against the domain's home; EINVAL or E2BIG as <see cref="Resolve"/> answers), then the request.
        /// </summary>
        static void HandlePath(XsdSockmsg* h, uint type, byte* body, int len, byte* p)
        {
            int plen;
            bool relative;
            int e = Resolve(body, len, p, out plen, out relative);
            if (e != 0) { Error(h, e); return; }
            switch (type)
            {
                case XsType.XS_READ:
                {
                    int node = Find(p, plen);
                    if (node < 0) { Error(h, ENOENT); return; }
                    fixed (Store* s = &s_s) Reply(h, type, s->Value + node * ValueMax, s->ValueLen[node], null, 0);
                    return;
                }
                case XsType.XS_WRITE:
                {
                    int vOff = CStrLen(body, len) + 1;
                    int vLen = len - vOff;
                    if (vLen > ValueMax) { Error(h, E2BIG); return; }
                    int node = Create(p, plen);
                    if (node < 0) { Error(h, node == -2 ? E2BIG : ENOSPC); return; }
                    SetValue(node, body + vOff, vLen);
                    Ok(h);
                    Fire(p, plen, false);
                    return;
                }
                case XsType.XS_MKDIR:
                {
                    bool existed = Find(p, plen) >= 0;
                    int node = Create(p, plen);
                    if (node < 0) { Error(h, node == -2 ? E2BIG : ENOSPC); return; }
                    Ok(h);
                    if (!existed) Fire(p, plen, false);
                    return;
                }
                case XsType.XS_RM:
                {
                    if (plen == 1) { Error(h, EINVAL); return; }          // not the root
                    if (Find(p, plen) < 0)
                    {
                        // xenstored: a missing node whose parent exists is removed already.
                        if (Find(p, ParentLen(p, plen)) < 0) Error(h, ENOENT); else Ok(h);
                        return;
                    }
                    RemoveTree(p, plen);
                    Ok(h);
                    Fire(p, plen, true);
                    return;
                }
                case XsType.XS_DIRECTORY:
                {
                    if (Find(p, plen) < 0) { Error(h, ENOENT); return; }
                    int n = Children(p, plen);
                    if (n < 0) { Error(h, E2BIG); return; }
                    fixed (Store* s = &s_s) Reply(h, type, s->Scratch, n, null, 0);
                    return;
                }
                case XsType.XS_GET_PERMS:
                {
                    if (Find(p, plen) < 0) { Error(h, ENOENT); return; }
                    byte* perm = stackalloc byte[16];
                    perm[0] = (byte)'n';
                    int n = 1 + Dec(perm + 1, InHome(p, plen) ? s_domId : 0);
                    perm[n++] = 0;
                    Reply(h, type, perm, n, null, 0);
                    return;
                }
                case XsType.XS_SET_PERMS:
                {
                    if (Find(p, plen) < 0) { Error(h, ENOENT); return; }
                    Ok(h);
                    return;
                }
                case XsType.XS_WATCH:
                {
                    int tOff = CStrLen(body, len) + 1;
                    int tLen = CStrLen(body + tOff, len - tOff);
                    if (tLen > TokenMax) { Error(h, E2BIG); return; }
                    if (FindWatch(p, plen, body + tOff, tLen) >= 0) { Error(h, EEXIST); return; }
                    int w = -1;
                    fixed (Store* s = &s_s)
                    {
                        for (int i = 0; i < MaxWatches; i++) if (s->WUsed[i] == 0) { w = i; break; }
                        if (w < 0) { Error(h, ENOSPC); return; }
                        for (int i = 0; i < plen; i++) s->WPath[w * PathMax + i] = p[i];
                        s->WPathLen[w] = (ushort)plen;
                        s->WRelative[w] = relative ? (byte)1 : (byte)0;
                        for (int i = 0; i < tLen; i++) s->WToken[w * TokenMax + i] = body[tOff + i];
                        s->WTokenLen[w] = (ushort)tLen;
                        s->WUsed[w] = 1;
                    }
                    Ok(h);
                    Event(w, p, plen);                     // the initial event
                    return;
                }
                case XsType.XS_UNWATCH:
                {
                    int tOff = CStrLen(body, len) + 1;
                    int w = FindWatch(p, plen, body + tOff, CStrLen(body + tOff, len - tOff));
                    if (w < 0) { Error(h, ENOENT); return; }
                    fixed (Store* s = &s_s) s->WUsed[w] = 0;
                    Ok(h);
                    return;
                }
            }
        }

        // Errors: xsd_errors[] of xs_wire.h, by name.
        const int EINVAL = 1, EACCES = 2, EEXIST = 3, ENOENT = 4, ENOSPC = 5, E2BIG = 6;

        static void Error(XsdSockmsg* h, int e)
        {
            string name = ErrorName(e);
            byte* b = stackalloc byte[12];
            int n = Copy(b, 0, name);
            b[n++] = 0;
            Reply(h, XsType.XS_ERROR, b, n, null, 0);
        }

        static string ErrorName(int e)
        {
            switch (e)
            {
                case EACCES: return "EACCES";
                case EEXIST: return "EEXIST";
                case ENOENT: return "ENOENT";
                case ENOSPC: return "ENOSPC";
                case E2BIG: return "E2BIG";
                default: return "EINVAL";
            }
        }

        static void Ok(XsdSockmsg* h)
        {
            byte* ok = stackalloc byte[3];
            ok[0] = (byte)'O'; ok[1] = (byte)'K'; ok[2] = 0;
            Reply(h, h->Type, ok, 3, null, 0);
        }

        /// <summary>Queues a message: header (type, req_id and tx_id of <paramref name="h"/>, or 0 without one) and two payload parts.</summary>
        static void Reply(XsdSockmsg* h, uint type, byte* a, int aLen, byte* b, int bLen)
        {
            if (OutSize - (int)(s_outHead - s_outTail) < HeaderSize + aLen + bLen) return;   // guest not reading: drop
            XsdSockmsg m;
            m.Type = type;
            m.ReqId = h != null ? h->ReqId : 0;
            m.TxId = h != null ? h->TxId : 0;
            m.Len = (uint)(aLen + bLen);
            Put((byte*)&m, HeaderSize);
            Put(a, aLen);
            Put(b, bLen);
        }

        static void Put(byte* src, int n)
        {
            fixed (Store* s = &s_s)
                for (int i = 0; i < n; i++) { s->Out[s_outHead % OutSize] = src[i]; s_outHead++; }
        }
    }
}
