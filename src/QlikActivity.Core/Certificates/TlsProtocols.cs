using System;
using System.Security.Authentication;

namespace QlikActivity.Core.Certificates
{
    /// <summary>
    /// The TLS versions our clients offer. On .NET 8 the operating system's defaults (TLS 1.2 and
    /// 1.3 on every supported system). The netstandard2.0 build runs in Windows PowerShell 5.1 on
    /// .NET Framework, whose default depends on the framework version and registry and can still
    /// be TLS 1.0: there it names TLS 1.2 (and 1.3 where the system has it) itself.
    /// </summary>
    internal static class TlsProtocols
    {
        /// <summary>SslProtocols.Tls13, which netstandard2.0's enum does not name.</summary>
        internal const SslProtocols Tls13 = (SslProtocols)12288;

        /// <summary>For SslStream.AuthenticateAsClientAsync and HttpClientHandler.SslProtocols.</summary>
        public static SslProtocols Client { get; } = Choose(Environment.OSVersion.Platform == PlatformID.Win32NT, Environment.OSVersion.Version);

        /// <summary>The choice, given the system (a seam for tests of both branches).</summary>
        internal static SslProtocols Choose(bool windows, Version osVersion)
        {
#if NET8_0_OR_GREATER
            return SslProtocols.None;
#else
            // Schannel has TLS 1.3 from Windows 11 / Server 2022 (build 20348); asking for it earlier fails the handshake.
            bool tls13 = !windows || osVersion.Build >= 20348;
            return SslProtocols.Tls12 | (tls13 ? Tls13 : SslProtocols.None);
#endif
        }
    }
}
