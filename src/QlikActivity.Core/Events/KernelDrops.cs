using System;
using System.Globalization;
using System.IO;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;

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
            if (!RuntimeInformation.IsOSPlatform(OSPlatform.Linux))
            {
                return null;
            }

            try
            {
                long fd = socket.Handle.ToInt64();
                var buffer = new byte[256];
                int length = ReadLink("/proc/self/fd/" + fd.ToString(CultureInfo.InvariantCulture), buffer, buffer.Length);
                string target = length > 0 ? Encoding.ASCII.GetString(buffer, 0, length) : "";
                // "socket:[123456]"
                if (target.StartsWith("socket:[", StringComparison.Ordinal) && target.EndsWith("]", StringComparison.Ordinal))
                {
                    return target.Substring(8, target.Length - 9);
                }
            }
            catch (Exception ex) when (ex is DllNotFoundException || ex is EntryPointNotFoundException || ex is ObjectDisposedException)
            {
            }

            return null;
        }

        // readlink(2): the same on both builds (FileInfo.LinkTarget is not in netstandard2.0).
        [DllImport("libc", EntryPoint = "readlink", SetLastError = true, CharSet = CharSet.Ansi, BestFitMapping = false, ThrowOnUnmappableChar = true)]
        private static extern int ReadLink([MarshalAs(UnmanagedType.LPStr)] string path, byte[] buffer, int size);

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
