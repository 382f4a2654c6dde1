namespace Microxen.XenStore
{
    /// <summary>The node tree of <see cref="Xenstored"/>: watch events, path resolution, lookup, creation, removal, children.</summary>
    public static unsafe partial class Xenstored
    {
        // ---- watch events ----


        /// <summary>Queues XS_WATCH_EVENT for watch <paramref name="w"/> about absolute path <paramref name="p"/>.</summary>
        static void Event(int w, byte* p, int plen)
        {
            byte* msg = stackalloc byte[PathMax + TokenMax + 2];
            int n = 0;
            fixed (Store* s = &s_s)
            {
                int skip = s->WRelative[w] != 0 && InHome(p, plen) && plen > s_domPathLen ? s_domPathLen + 1 : 0;
                for (int i = skip; i < plen; i++) msg[n++] = p[i];
                msg[n++] = 0;
                for (int i = 0; i < s->WTokenLen[w]; i++) msg[n++] = s->WToken[w * TokenMax + i];
                msg[n++] = 0;
            }
            WatchEvents++;
            Reply(null, XsType.XS_WATCH_EVENT, msg, n, null, 0);
        }

        /// <summary>Fires every watch at or above <paramref name="p"/>; with <paramref name="removed"/> also those below it.</summary>
        static void Fire(byte* p, int plen, bool removed)
        {
            fixed (Store* s = &s_s)
                for (int w = 0; w < MaxWatches; w++)
                {
                    if (s->WUsed[w] == 0) continue;
                    byte* wp = s->WPath + w * PathMax;
                    int wl = s->WPathLen[w];
                    if (Under(p, plen, wp, wl)) Event(w, p, plen);
                    else if (removed && Under(wp, wl, p, plen)) Event(w, wp, wl);
                }
        }

        // ---- nodes ----

        /// <summary>
        /// The absolute path of the NUL-terminated path at the start of <paramref name="body"/>
        /// (relative paths below the domain's home; a trailing '/' removed except for the root).
        /// 0, or EINVAL (empty, no terminator) / E2BIG (longer than PathMax).
        /// </summary>
        static int Resolve(byte* body, int len, byte* p, out int plen, out bool relative)
        {
            plen = 0;
            int n = CStrLen(body, len);
            relative = n > 0 && body[0] != (byte)'/' && body[0] != (byte)'@';
            if (n == 0 || n == len) return EINVAL;
            int o = 0;
            if (relative)
            {
                if (s_domPathLen + 1 + n > PathMax) return E2BIG;
                fixed (Store* s = &s_s) for (; o < s_domPathLen; o++) p[o] = s->DomPath[o];
                p[o++] = (byte)'/';
            }
            else if (n > PathMax) return E2BIG;
            for (int i = 0; i < n; i++) p[o++] = body[i];
            while (o > 1 && p[o - 1] == (byte)'/') o--;
            plen = o;
            return 0;
        }

        static int CStrLen(byte* b, int max)
        {
            int n = 0;
            while (n < max && b[n] != 0) n++;
            return n;
        }

        /// <summary>True when <paramref name="p"/> equals <paramref name="top"/> or lies below it.</summary>
        static bool Under(byte* p, int plen, byte* top, int tlen)
        {
            if (plen < tlen) return false;
            for (int i = 0; i < tlen; i++) if (p[i] != top[i]) return false;
            return plen == tlen || top[tlen - 1] == (byte)'/' || p[tlen] == (byte)'/';
        }

        static bool InHome(byte* p, int plen)
        {
            fixed (Store* s = &s_s) return Under(p, plen, s->DomPath, s_domPathLen);
        }

        static int ParentLen(byte* p, int plen)
        {
            int i = plen - 1;
            while (i > 0 && p[i] != (byte)'/') i--;
            return i == 0 ? 1 : i;
        }

        static int Find(byte* p, int plen)
        {
            fixed (Store* s = &s_s)
                for (int n = 0; n < MaxNodes; n++)
                {
                    if (s->Used[n] == 0 || s->PathLen[n] != plen) continue;
                    byte* q = s->Path + n * PathMax;
                    int i = 0;
                    while (i < plen && q[i] == p[i]) i++;
                    if (i == plen) return n;
                }
            return -1;
        }

        static int FindWatch(byte* p, int plen, byte* token, int tlen)
        {
            fixed (Store* s = &s_s)
                for (int w = 0; w < MaxWatches; w++)
                {
                    if (s->WUsed[w] == 0 || s->WPathLen[w] != plen || s->WTokenLen[w] != tlen) continue;
                    bool same = true;
                    for (int i = 0; i < plen && same; i++) same = s->WPath[w * PathMax + i] == p[i];
                    for (int i = 0; i < tlen && same; i++) same = s->WToken[w * TokenMax + i] == token[i];
                    if (same) return w;
                }
            return -1;
        }

        /// <summary>The node at <paramref name="p"/>, created with its missing parents (empty values). -1 when full, -2 when too long.</summary>
        static int Create(byte* p, int plen)
        {
            if (plen > PathMax) return -2;
            int n = Find(p, plen);
            if (n >= 0) return n;
            if (p[0] == (byte)'/' && plen > 1 && Create(p, ParentLen(p, plen)) < 0) return -1;
            fixed (Store* s = &s_s)
                for (n = 0; n < MaxNodes; n++)
                    if (s->Used[n] == 0)
                    {
                        for (int i = 0; i < plen; i++) s->Path[n * PathMax + i] = p[i];
                        s->PathLen[n] = (ushort)plen;
                        s->ValueLen[n] = 0;
                        s->Used[n] = 1;
                        return n;
                    }
            return -1;
        }

        static void SetValue(int node, byte* v, int vlen)
        {
            fixed (Store* s = &s_s)
            {
                for (int i = 0; i < vlen; i++) s->Value[node * ValueMax + i] = v[i];
                s->ValueLen[node] = (ushort)vlen;
            }
        }

        static void RemoveTree(byte* p, int plen)
        {
            fixed (Store* s = &s_s)
                for (int n = 0; n < MaxNodes; n++)
                    if (s->Used[n] != 0 && Under(s->Path + n * PathMax, s->PathLen[n], p, plen)) s->Used[n] = 0;
        }

        /// <summary>The names of <paramref name="p"/>'s children, each NUL-terminated, into Scratch; their length, or -1 when too long.</summary>
        static int Children(byte* p, int plen)
        {
            int o = 0;
            fixed (Store* s = &s_s)
                for (int n = 0; n < MaxNodes; n++)
                {
                    if (s->Used[n] == 0) continue;
                    byte* q = s->Path + n * PathMax;
                    int ql = s->PathLen[n];
                    if (ql <= plen || !Under(q, ql, p, plen)) continue;
                    int start = plen == 1 ? 1 : plen + 1;
                    bool direct = true;
                    for (int i = start; i < ql; i++) if (q[i] == (byte)'/') { direct = false; break; }
                    if (!direct) continue;
                    if (o + ql - start + 1 > XenstoreDomainInterface.PayloadMax) return -1;
                    for (int i = start; i < ql; i++) s->Scratch[o++] = q[i];
                    s->Scratch[o++] = 0;
                }
            return o;
        }

        // ---- text ----

        static int Copy(byte* dst, int at, string s)
        {
            for (int i = 0; i < s.Length; i++) dst[at + i] = (byte)s[i];
            return s.Length;
        }

        /// <summary>Writes <paramref name="v"/> in decimal at <paramref name="dst"/>; returns its length.</summary>
        public static int Dec(byte* dst, ulong v)
        {
            byte* t = stackalloc byte[20];
            int n = 0;
            do { t[n++] = (byte)('0' + (int)(v % 10)); v /= 10; } while (v != 0);
            for (int i = 0; i < n; i++) dst[i] = t[n - 1 - i];
            return n;
        }
    }
}
