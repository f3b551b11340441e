using System;
using System.Threading.Tasks;

namespace QlikActivity.PowerShell.Tests.Fixtures
{
    /// <summary>Datagrams as a Qlik Sense Proxy's log appender sends them.</summary>
    public static class SampleDatagrams
    {
        public const string AnnaStart = "/qseow-proxy-session/;sense-node-02.corp.example.com;Start session;CORPDIRECTORY;anna.lindqvist-berg;Not available;/hub/;Start session for user 'CORPDIRECTORY\\anna.lindqvist-berg' UserAgent: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36'";
        public const string BobOpen = "/qseow-proxy-connection/;sense1;Open connection;LAB;bob;AppAccess;/app/5f0c2b0e-8a7d-4c1e-9a53-1b9b2f6f0d11;Websocket connection Opened for session";
        public const string SvcStart = "/qseow-proxy-session/;sense1;Start session;LAB;svc_reload;Not available;/hub/;Start session for user 'LAB\\svc_reload'";
        public const string BobStop = "/qseow-proxy-session/;sense1;Stop session;LAB;bob;Not available;/hub/;Stop session for user 'LAB\\bob'";
    }

    /// <summary>Runs Start-QlikEventListener on a free loopback port and sends datagrams once it holds the port.</summary>
    public static class Listening
    {
        /// <summary>
        /// <c>{before} Start-QlikEventListener -Address 127.0.0.1 -Port N {parameters}</c>; <paramref name="before"/>
        /// is what pipes into it (e.g. "$destination |"), empty for nothing.
        /// </summary>
        public static RunResult Run(ModuleSession session, string before, string parameters, params string[] datagrams)
        {
            int port = Udp.FreePort();
            var sender = Task.Run(() =>
            {
                Udp.WaitUntilBound(port, TimeSpan.FromSeconds(60));
                Udp.Send(port, datagrams);
            });
            var result = session.Run($"{before} Start-QlikEventListener -Address 127.0.0.1 -Port {port} -WarningAction SilentlyContinue {parameters}");
            sender.GetAwaiter().GetResult();
            return result;
        }
    }
}
