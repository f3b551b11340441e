using System;
using System.Globalization;
using System.IO;
using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace QlikActivity.Core.Events
{
    /// <summary>
    /// On Linux the kernel counts, per socket, the datagrams it dropped because the receive buffer
    /// was full (the <c>drops</c> column of <c>/proc/net/udp</c>). Reading it lets the listener
    /// report even the losses it never saw. Elsewhere there is no such counter: null.
    /// </summary>
    internal static class KernelDrops
    {
        /// <summary>The socket's inode, the key of its line in /proc/net/udp; null when not on Linux.</summary>
        public static string? InodeOf(Socket socket)
        {
#if NET8_0_OR_GREATER
            if (!RuntimeInformation.IsOSPlatform(OSPlatform.Linux))
            {
                return null;
            }

            try
            {
                long fd = socket.SafeHandle.DangerousGetHandle().ToInt64();
                string? target = new FileInfo("/proc/self/fd/" + fd.ToString(CultureInfo.InvariantCulture)).LinkTarget;
                // "socket:[123456]"
                if (target != null && target.StartsWith("socket:[", StringComparison.Ordinal) && target.EndsWith("]", StringComparison.Ordinal))
                {
                    return target.Substring(8, target.Length - 9);
                }
            }
            catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException || ex is ObjectDisposedException)
            {
            }
#endif
            return null;
        }

        /// <summary>The kernel's drop count for the socket with <paramref name="inode"/>; null when unknown.</summary>
        public static long? Read(string? inode)
        {
            if (inode == null)
            {
                return null;
            }

            foreach (string table in new[] { "/proc/net/udp", "/proc/net/udp6" })
            {
                try
                {
                    foreach (string line in File.ReadLines(table))
                    {
                        // sl local rem st tx:rx tr:when retrnsmt uid timeout inode ref pointer drops
                        var parts = line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
                        if (parts.Length >= 13 && parts[9] == inode
                            && long.TryParse(parts[parts.Length - 1], NumberStyles.None, CultureInfo.InvariantCulture, out long drops))
                        {
                            return drops;
                        }
                    }
                }
                catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException)
                {
                }
            }

            return null;
        }
    }
}
